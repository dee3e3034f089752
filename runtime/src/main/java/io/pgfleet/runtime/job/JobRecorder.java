package io.pgfleet.runtime.job;

import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.status.Phase;
import io.pgfleet.runtime.metrics.ServiceMetrics;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what a step says, for every service alike, in one transaction: the job (waiting, succeeded or failed),
 * the status event answering its command ({@code PROGRESSING} once per new step, then {@code SUCCEEDED} or
 * {@code FAILED} with the handler's reason), then what the handler itself keeps ({@link JobHandler#recorded}).
 * Work nobody asked for (a repair: no command id) has no command to answer; its handler says what it observed.
 */
@Singleton
public class JobRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(JobRecorder.class);

    private final JobLedger ledger;
    private final StatusOutbox status;
    private final ServiceMetrics metrics;

    public JobRecorder(JobLedger ledger, StatusOutbox status, ServiceMetrics metrics) {
        this.ledger = ledger;
        this.status = status;
        this.metrics = metrics;
    }

    @Transactional
    public void record(JobRow job, Step step, JobHandler handler) {
        boolean asked = job.commandId() != null;
        InstanceKey key = InstanceKey.of(job.instance());
        switch (step.outcome()) {
            case WAIT -> {
                // A poll backs off with the time this same step has waited (its first report when it is new).
                Duration waited = step.message().equals(job.step()) && job.stepSince() != null
                        ? Duration.between(job.stepSince(), Instant.now()) : Duration.ZERO;
                Duration after = step.pause(waited.isNegative() ? Duration.ZERO : waited);
                LOG.debug("{} step: {} (again in {} ms)", job.commandType(), step.message(), after.toMillis());
                ledger.progress(job, step.message(), after.toMillis());
                if (asked && !step.message().equals(job.step())) {
                    status.command(new StatusOutbox.Answering(job.commandId(), job.commandType(), key), Phase.PROGRESSING, "Progressing", step.message(), step.message(),
                            null, null);
                }
            }
            case DONE -> {
                ledger.finish(job, JobStatus.SUCCEEDED, step.message());
                metrics.jobEnded(job.commandType(), JobStatus.SUCCEEDED.name(), Duration.between(job.createdAt(), Instant.now()));
                if (asked) {
                    status.command(new StatusOutbox.Answering(job.commandId(), job.commandType(), key), Phase.SUCCEEDED, handler.reason(job.kind(), step.outcome()),
                            step.message(), null, null, step.details());
                }
                LOG.info("{} done: {}", job.commandType(), step.message());
            }
            case FAILED -> {
                ledger.finish(job, JobStatus.FAILED, step.message());
                metrics.jobEnded(job.commandType(), JobStatus.FAILED.name(), Duration.between(job.createdAt(), Instant.now()));
                if (asked) {
                    status.command(new StatusOutbox.Answering(job.commandId(), job.commandType(), key), Phase.FAILED, handler.reason(job.kind(), step.outcome()),
                            step.message(), null, null, step.details().isEmpty() ? null : step.details());
                }
                LOG.warn("{} failed: {}", job.commandType(), step.message());
            }
        }
        handler.recorded(job, step);
    }
}
