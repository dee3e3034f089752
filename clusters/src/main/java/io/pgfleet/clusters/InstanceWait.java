package io.pgfleet.clusters;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one rule of a job that needs an instance the provisioner may still be making (a user-manager
 * plan, a restore into a new instance, a first base backup): look again soon, then less often — after half the time
 * the job has waited so far, at most every {@link #LONGEST} ({@link Step#poll}) — while it does not exist or does not
 * answer yet, and fail once the job is older than {@code timeout}. Pure: the caller observes, this decides.
 * Each look is a step (its job taken and recorded in the state database); looking every second, 30 instances made at
 * once cost the user-manager more CPU than the commands' own work, while a look after a backed-off pause comes at most
 * half the waited time (and never more than 5 s) after the instance is there.
 *
 * @param timeout how long a job waits for its instance
 */
public record InstanceWait(Duration timeout) {

    /** The longest pause between two looks at an instance being made. */
    public static final Duration LONGEST = Duration.ofSeconds(5);

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
                : Step.poll("waiting for instance " + key + " to exist", LONGEST));
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
