package io.pgfleet.runtime.job;

import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.status.Phase;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;

/** Bookkeeping every service's job handler shares. */
@Singleton
public class JobSteps {

    private final JobLedger jobs;
    private final StatusOutbox status;

    public JobSteps(JobLedger jobs, StatusOutbox status) {
        this.jobs = jobs;
        this.status = status;
    }

    /**
     * Records a step that waits: the job comes back after {@code step.after()}, and a new step is
     * announced once as {@code PROGRESSING} when {@code announce} (work nobody asked for stays quiet).
     */
    @Transactional
    public void waiting(JobRow job, Step step, boolean announce) {
        jobs.progress(job, step.message(), step.after().toMillis());
        if (announce && !step.message().equals(job.step())) {
            status.command(job.commandId(), job.commandType(), InstanceKey.of(job.instance()), Phase.PROGRESSING,
                    "Progressing", step.message(), step.message(), null, null);
        }
    }

    /**
     * Records a step of work that ends with the command: a wait as {@link #waiting}, a success as the
     * job done and {@code SUCCEEDED} (with the step's details), a failure as the job failed and {@code FAILED}.
     */
    @Transactional
    public void record(JobRow job, Step step, String succeededReason, String failedReason) {
        InstanceKey key = InstanceKey.of(job.instance());
        switch (step.outcome()) {
            case WAIT -> waiting(job, step, true);
            case DONE -> {
                jobs.finish(job, JobStatus.SUCCEEDED, step.message());
                status.command(job.commandId(), job.commandType(), key, Phase.SUCCEEDED, succeededReason, step.message(), null, null,
                        step.details());
            }
            case FAILED -> {
                jobs.finish(job, JobStatus.FAILED, step.message());
                status.command(job.commandId(), job.commandType(), key, Phase.FAILED, failedReason, step.message(), null, null, null);
            }
        }
    }
}
