package io.pgfleet.runtime.job;

/** What a service does with one step of a job; it records the outcome itself (job status, events). */
public interface JobHandler {

    /** Takes one bounded step of the job. */
    void step(JobRow job);

    /**
     * Ends the job as failed, with its {@code FAILED} event: the runner calls it when the steps kept
     * throwing ({@code pgfleet.jobs.max-errors} steps of the job threw).
     */
    void fail(JobRow job, String reason);
}
