package io.pgfleet.provisioner.job;

import io.pgfleet.clusters.PrimaryChange;
import io.pgfleet.clusters.PrimaryMember;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.status.Phase;
import io.pgfleet.provisioner.instance.InstancePhase;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.runtime.job.JobKind;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the steps of an instance's jobs leave: the instance's phase kept with what each step says; a repair (work nobody
 * asked for) answered with observed events — {@code READY} again, or {@code DEGRADED}/{@code RepairFailed} (the instance
 * stays {@code DEGRADED} and watched; the next repair waits 10s, doubled per failure in a row, at most 5 minutes); a
 * failed command also leaves an observed {@code DEGRADED}, since what it left is not what was asked for. A step that
 * promoted a standby says {@code FailoverStarted}; the job's end then says {@code READY}/{@code FailoverCompleted} with
 * both primaries and how long the instance had none ({@link RoleChanges}).
 */
@Singleton
public class InstanceOutcomes {

    /** A failed repair waits this long before the next, doubled for every failure in a row up to {@link #MAX_REPAIR_BACK_OFF}. */
    static final Duration REPAIR_BACK_OFF = Duration.ofSeconds(10);
    static final Duration MAX_REPAIR_BACK_OFF = Duration.ofMinutes(5);

    private final InstanceRepository instances;
    private final JobRepository jobs;
    private final StatusOutbox status;
    private final Clock clock;
    private final RoleChanges roleChanges;

    public InstanceOutcomes(InstanceRepository instances, JobRepository jobs, StatusOutbox status, Clock clock, RoleChanges roleChanges) {
        this.instances = instances;
        this.jobs = jobs;
        this.status = status;
        this.clock = clock;
        this.roleChanges = roleChanges;
    }

    /** Keeps the instance's phase with what a step of its job says, and tells what nobody asked for as observed events. */
    public void recorded(JobRow job, Step step) {
        InstanceKey key = InstanceKey.of(job.instance());
        boolean repair = job.kind() == JobKind.REPAIR;
        switch (step.outcome()) {
            // Said once, when the standby is promoted; kept until the instance is whole again.
            case WAIT -> step.fact(PrimaryChange.class).ifPresent(change -> roleChanges.started(key, change, step.message()));
            case DONE -> {
                boolean latest = jobs.countOpen(job.instance()) == 0;
                if (job.kind() == JobKind.DELETE) {
                    if (latest) {
                        instances.deleteById(job.instance());
                    }
                    return;
                }
                if (latest) {
                    instances.updatePhase(job.instance(), InstancePhase.READY.name(), step.message());
                }
                step.fact(PrimaryMember.class).ifPresent(primary -> instances.updatePrimaryMember(job.instance(), primary.name()));
                Optional<String> failover = instances.findFailover(job.instance());
                if (failover.isPresent()) {
                    roleChanges.completed(key, failover.get(), step.details(), step.message());
                } else if (repair) {
                    status.observed(key, null, Phase.READY, "InstanceReady", "ready again: " + step.message(), step.details());
                }
                if (repair) {
                    instances.repairSucceeded(job.instance());
                }
            }
            case FAILED -> {
                if (repair) {
                    // Still watched: the health monitor repairs it again after the back-off.
                    int failures = instances.findRepairFailures(job.instance()).orElse(0);
                    Duration backOff = REPAIR_BACK_OFF.multipliedBy(1L << Math.min(failures, 5));
                    backOff = backOff.compareTo(MAX_REPAIR_BACK_OFF) > 0 ? MAX_REPAIR_BACK_OFF : backOff;
                    instances.repairFailed(job.instance(), Instant.now(clock).plus(backOff));
                    instances.updatePhase(job.instance(), InstancePhase.DEGRADED.name(), step.message());
                    status.observed(key, null, Phase.DEGRADED, "RepairFailed", "the instance could not be repaired (attempt " + (failures + 1)
                            + "): " + step.message() + "; next attempt in " + backOff.toSeconds() + "s", null);
                    return;
                }
                instances.updatePhase(job.instance(), InstancePhase.FAILED.name(), step.message());
                if (job.kind() != JobKind.DELETE) {
                    status.observed(key, null, Phase.DEGRADED, "InstanceDegraded", step.message(), null);
                }
            }
        }
    }
}
