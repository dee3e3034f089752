package io.pgfleet.host;

/** A command exited non-zero or did not finish in time. The message names the program and ends with its output. */
public class CommandFailedException extends RuntimeException {

    private final transient CommandResult result;

    public CommandFailedException(String message, CommandResult result) {
        super(message);
        this.result = result;
    }

    /** What ran and what it printed, or {@code null} when it never started. */
    public CommandResult result() {
        return result;
    }
}
