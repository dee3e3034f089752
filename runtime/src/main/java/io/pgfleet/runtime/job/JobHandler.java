package io.pgfleet.runtime.job;

/** What a service does with one step of a job; it records the outcome itself (job status, events). */
public interface JobHandler {

    /** Takes one bounded step of the job. */
    void step(JobRow job);
}
