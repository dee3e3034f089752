package io.pgfleet.runtime.job;

/**
 * The job's lease passed to another worker (or the job was ended) while this worker took a step:
 * what the step would record is thrown away, with the transaction it was written in.
 */
public class LeaseLostException extends RuntimeException {

    public LeaseLostException(JobRow job) {
        super("job " + job.id() + " (" + job.commandType() + " of " + job.instance() + ") is no longer held by " + job.leaseOwner());
    }
}
