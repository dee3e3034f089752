package io.pgfleet.provisioner.job;

import io.micronaut.context.annotation.Value;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.provisioner.instance.Specs;
import io.pgfleet.runtime.credentials.CredentialStores;
import io.pgfleet.runtime.job.JobHandler;
import io.pgfleet.runtime.job.JobKind;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import io.pgfleet.provisioner.instance.SwitchoverJob;

/**
 * Takes one step of a provision, scale, delete, switchover or repair with the cluster driver (which observes, plans and
 * acts); {@link InstanceOutcomes} keeps the instance's phase with what the step says.
 * Config: {@code pgfleet.provisioner.job-timeout} (default 15m): a job still waiting then fails.
 */
@Singleton
public class InstanceReconciler implements JobHandler {

    /** What a successful delete says: the instance is gone, its backups are not. */
    static final String DELETED = "the instance is deleted, with its stored passwords and backup credentials; its backups are kept";

    private final ClusterDriver driver;
    private final CredentialStores credentials;
    private final Clock clock;
    private final Duration timeout;
    private final InstanceOutcomes outcomes;

    public InstanceReconciler(ClusterDriver driver, CredentialStores credentials, Clock clock,
                              @Value("${pgfleet.provisioner.job-timeout:15m}") Duration timeout, InstanceOutcomes outcomes) {
        this.driver = driver;
        this.credentials = credentials;
        this.clock = clock;
        this.timeout = timeout;
        this.outcomes = outcomes;
    }

    @Override
    public Step step(JobRow job) {
        InstanceKey key = InstanceKey.of(job.instance());
        if (job.createdAt().plus(timeout).isBefore(Instant.now(clock))) {
            return Step.failed("not done after " + timeout.toMinutes() + " minutes; last step: " + job.step());
        }
        if (job.kind() == JobKind.DELETE) {
            Step step = driver.delete(key);
            if (step.outcome() != Step.Outcome.DONE) {
                return step;
            }
            // The instance is gone: so are its users' passwords and backup credentials.
            credentials.deleteAll(key);
            return Step.done(DELETED, step.details());
        }
        if (job.kind() == JobKind.SWITCHOVER) {
            SwitchoverJob switchover = SwitchoverJob.read(job.spec());
            return driver.switchover(key, switchover.spec(), switchover.from(), Optional.ofNullable(switchover.to()));
        }
        return driver.apply(key, Specs.read(job.spec()));
    }

    @Override
    public String reason(JobKind kind, Step.Outcome outcome) {
        boolean done = outcome == Step.Outcome.DONE;
        return switch (kind) {
            case DELETE -> done ? "InstanceDeleted" : "DeleteFailed";
            case SCALE -> done ? "InstanceReady" : "ScaleFailed";
            case SWITCHOVER -> done ? "SwitchoverCompleted" : "SwitchoverFailed";
            default -> done ? "InstanceReady" : "ProvisioningFailed";
        };
    }

    /** What the step says, kept in the instance's row and told as observed events ({@link InstanceOutcomes}). */
    @Override
    public void recorded(JobRow job, Step step) {
        outcomes.recorded(job, step);
    }
}
