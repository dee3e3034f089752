package io.pgfleet.runtime.job;

/**
 * What a service does with a job: one bounded step at a time, in one shape — observe the world, plan the next
 * action (a pure function of the desired spec and the observation), take that one action, and say what comes
 * next. The {@link JobRunner} records what the step says (the job, the command's status event, the logging
 * context) the same way for every service; {@link #recorded} adds what only this service keeps.
 */
public interface JobHandler {

    /** One bounded step of the job: what comes next (done, come back later, or failed with a reason). */
    Step step(JobRow job);

    /** The {@code reason} of the status event that answers a job of this kind when it ends with this outcome. */
    String reason(JobKind kind, Step.Outcome outcome);

    /**
     * What this service keeps about a step's outcome besides the job and its command's event (its own tables, events
     * about work nobody asked for), written in the same transaction, after them. Nothing by default.
     */
    default void recorded(JobRow job, Step step) {
    }
}
