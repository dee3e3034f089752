package io.pgfleet.backup.run;

import io.micronaut.context.annotation.Value;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.status.Phase;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What backups and restores share: a locked repository is waited for (up to
 * {@code pgfleet.backup.lock-timeout}, default 35m) after stale locks are cleared, and progress
 * events within a step.
 */
@Singleton
class RunSupport {

    private final StatusOutbox status;
    private final Clock clock;
    private final Duration lockTimeout;

    RunSupport(StatusOutbox status, Clock clock, @Value("${pgfleet.backup.lock-timeout:35m}") Duration lockTimeout) {
        this.status = status;
        this.clock = clock;
        this.lockTimeout = lockTimeout;
    }

    Step lockedStep(JobRow job, ResticRepository repository, ResticException e) {
        try {
            repository.unlockStale();
        } catch (ResticException ignored) {
            // reported by the next attempt
        }
        if (job.createdAt().plus(lockTimeout).isBefore(Instant.now(clock))) {
            return Step.failed(e.getMessage());
        }
        return Step.waitFor("the repository is locked by another restic process; waiting", Duration.ofSeconds(5));
    }

    /** Now, by the service's clock. */
    Instant now() {
        return Instant.now(clock);
    }

    void progress(JobRow job, String message, String step) {
        status.command(new StatusOutbox.Answering(job.commandId(), job.commandType(), InstanceKey.of(job.instance())), Phase.PROGRESSING,
                "Progressing", message, step, null, null);
    }
}
