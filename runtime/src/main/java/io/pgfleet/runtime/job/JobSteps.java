package io.pgfleet.runtime.job;

import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.status.Phase;
import io.pgfleet.runtime.cluster.Step;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;

/** Bookkeeping every service's job handler shares. */
@Singleton
public class JobSteps {

    private final JobRepository jobs;
    private final StatusOutbox status;

    public JobSteps(JobRepository jobs, StatusOutbox status) {
        this.jobs = jobs;
        this.status = status;
    }

    /**
     * Records a step that waits: the job comes back after {@code step.after()}, and a new step is
     * announced once as {@code PROGRESSING} when {@code announce} (work nobody asked for stays quiet).
     */
    @Transactional
    public void waiting(JobRow job, Step step, boolean announce) {
        jobs.progress(job.id(), step.message(), step.after().toMillis());
        if (announce && !step.message().equals(job.step())) {
            status.command(job.commandId(), job.commandType(), InstanceKey.parse(job.instance(), "default"), Phase.PROGRESSING,
                    "Progressing", step.message(), step.message(), null, null);
        }
    }
}
