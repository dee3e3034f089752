package io.pgfleet.usermanager.access;

import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.JobSteps;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;

/** Records a step's outcome, the users now managed and the status event together. */
@Singleton
public class AccessResults {

    private final JobRepository jobs;
    private final AccessRepository access;
    private final StatusOutbox status;
    private final JobSteps steps;

    public AccessResults(JobRepository jobs, AccessRepository access, StatusOutbox status, JobSteps steps) {
        this.steps = steps;
        this.jobs = jobs;
        this.access = access;
        this.status = status;
    }

    @Transactional
    public void record(JobRow job, Step step) {
        if (step.outcome() == Step.Outcome.DONE) {
            access.saveManaged(job.instance(), AccessJson.write(AccessJson.desired(job.spec()).users().keySet()));
        }
        steps.record(job, step, "AccessApplied", "AccessFailed");
    }
}
