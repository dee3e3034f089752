package io.pgfleet.backup.restic;

/** restic (or a program feeding it) failed; the message names no secret. */
public class ResticException extends RuntimeException {

    private final boolean locked;

    public ResticException(String message, boolean locked) {
        super(message);
        this.locked = locked;
    }

    /** The repository was locked by another restic process. */
    public boolean locked() {
        return locked;
    }
}
