package io.pgfleet.runtime.job;

import jakarta.inject.Singleton;

/**
 * The fenced updates of a taken job: each one holds only while the worker still has the job's lease,
 * and otherwise throws {@link LeaseLostException} so the transaction recording the step (its status
 * event included) rolls back.
 */
@Singleton
public class JobLedger {

    private final JobRepository jobs;

    public JobLedger(JobRepository jobs) {
        this.jobs = jobs;
    }

    /** The job comes back after {@code afterMillis}. */
    public void progress(JobRow job, String step, long afterMillis) {
        held(job, jobs.progress(job.id(), job.leaseOwner(), step, afterMillis));
    }

    /** The job ends with this status. */
    public void finish(JobRow job, JobStatus status, String step) {
        held(job, jobs.finish(job.id(), job.leaseOwner(), status.name(), step));
    }

    /** A step threw: the job is tried again shortly. */
    public void erred(JobRow job, String step) {
        held(job, jobs.erred(job.id(), job.leaseOwner(), step));
    }

    private static void held(JobRow job, int updated) {
        if (updated == 0) {
            throw new LeaseLostException(job);
        }
    }
}
