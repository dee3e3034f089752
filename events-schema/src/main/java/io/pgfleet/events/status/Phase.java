package io.pgfleet.events.status;

/**
 * Where a command, or an instance, stands. A command goes {@code ACCEPTED} → {@code PROGRESSING}
 * (zero or more times) → {@code SUCCEEDED} or {@code FAILED}, or is {@code REJECTED} at once.
 * {@code READY} and {@code DEGRADED} are observed changes no command asked for.
 */
public enum Phase {
    /** The command is valid and recorded; work has been scheduled. */
    ACCEPTED,
    /** A step of the work is done or under way; {@code step} says which. */
    PROGRESSING,
    /** The work is done and the instance matches the command. */
    SUCCEEDED,
    /** The work could not be done; {@code message} says why. */
    FAILED,
    /** The command is invalid; {@code errors} lists every problem. Nothing was changed. */
    REJECTED,
    /** Observed: the instance became ready (again). */
    READY,
    /** Observed: a member of the instance is down or not streaming. */
    DEGRADED;

    /** Whether no later event follows for the same command. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == REJECTED;
    }
}
