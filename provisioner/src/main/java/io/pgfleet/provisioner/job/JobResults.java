package io.pgfleet.provisioner.job;

import io.pgfleet.runtime.job.JobKind;
import io.pgfleet.runtime.job.JobLedger;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobSteps;
import io.pgfleet.runtime.job.JobStatus;
import io.pgfleet.runtime.job.JobRow;
import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.status.Phase;
import io.pgfleet.provisioner.instance.InstancePhase;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records a step's outcome, the instance's phase and the status event together. */
@Singleton
public class JobResults {

    private static final Logger LOG = LoggerFactory.getLogger(JobResults.class);

    private final JobRepository jobs;
    private final JobLedger ledger;
    private final InstanceRepository instances;
    private final StatusOutbox status;
    private final JobSteps steps;

    public JobResults(JobRepository jobs, JobLedger ledger, InstanceRepository instances, StatusOutbox status, JobSteps steps) {
        this.steps = steps;
        this.jobs = jobs;
        this.ledger = ledger;
        this.instances = instances;
        this.status = status;
    }

    @Transactional
    public void record(JobRow job, Step step) {
        InstanceKey key = InstanceKey.of(job.instance());
        boolean repair = job.kind() == JobKind.REPAIR;
        switch (step.outcome()) {
            case WAIT -> steps.waiting(job, step, !repair);
            case DONE -> {
                ledger.finish(job, JobStatus.SUCCEEDED, step.message());
                boolean latest = jobs.countOpen(job.instance()) == 0;
                if (job.kind() == JobKind.DELETE) {
                    if (latest) {
                        instances.deleteById(job.instance());
                    }
                    status.command(job.commandId(), job.commandType(), key, Phase.SUCCEEDED, "InstanceDeleted",
                            "the instance is deleted; its backups are kept", null, null, step.details());
                } else {
                    if (latest) {
                        instances.updatePhase(job.instance(), InstancePhase.READY.name(), step.message());
                    }
                    if (repair) {
                        status.observed(key, null, Phase.READY, "InstanceReady", "ready again: " + step.message(), step.details());
                    } else {
                        status.command(job.commandId(), job.commandType(), key, Phase.SUCCEEDED, "InstanceReady", step.message(), null,
                                null, step.details());
                    }
                }
                LOG.info("{} done: {}", job.commandType(), step.message());
            }
            case FAILED -> {
                ledger.finish(job, JobStatus.FAILED, step.message());
                instances.updatePhase(job.instance(), InstancePhase.FAILED.name(), step.message());
                if (repair) {
                    status.observed(key, null, Phase.DEGRADED, "RepairFailed", "the instance could not be repaired: " + step.message(), null);
                } else {
                    status.command(job.commandId(), job.commandType(), key, Phase.FAILED, failureReason(job.commandType()), step.message(),
                            null, null, null);
                    if (job.kind() != JobKind.DELETE) {
                        // What the failed command leaves is not what was asked for: integrations see the instance degraded.
                        status.observed(key, null, Phase.DEGRADED, "InstanceDegraded", step.message(), null);
                    }
                }
                LOG.warn("{} failed: {}", job.commandType(), step.message());
            }
        }
    }

    private static String failureReason(String commandType) {
        return switch (commandType) {
            case "delete" -> "DeleteFailed";
            case "scale" -> "ScaleFailed";
            default -> "ProvisioningFailed";
        };
    }
}
