package io.pgfleet.clusters;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one rule of a job that needs an instance the provisioner may still be making (a user-manager
 * plan, a restore into a new instance): come back every second while it does not exist, and fail
 * once the job is older than {@code timeout}. Pure: the caller observes, this decides.
 *
 * @param timeout how long a job waits for its instance
 */
public record InstanceWait(Duration timeout) {

    /**
     * What the job does when its instance's primary is (not) known.
     *
     * @return empty when the instance exists; otherwise a step that waits or, past the deadline, fails
     */
    public Optional<Step> untilItExists(InstanceKey key, Optional<Endpoint> primary, Instant jobCreated, Instant now) {
        if (primary.isPresent()) {
            return Optional.empty();
        }
        return Optional.of(late(jobCreated, now) ? Step.failed("instance " + key + " did not come into existence within " + text(timeout))
                : Step.waitFor("waiting for instance " + key + " to exist", Duration.ofSeconds(1)));
    }

    /** Whether a job created at {@code jobCreated} has waited longer than the timeout. */
    public boolean late(Instant jobCreated, Instant now) {
        return jobCreated.plus(timeout).isBefore(now);
    }

    /** A duration as people write it: {@code 10m}, {@code 20s}. */
    public static String text(Duration duration) {
        return duration.toSecondsPart() == 0 && duration.toMinutes() > 0 ? duration.toMinutes() + "m" : duration.toSeconds() + "s";
    }
}
