package io.pgfleet.backup.restic;

/** restic (or a program feeding it) failed; the message names no secret. */
public class ResticException extends RuntimeException {

    private final boolean locked;
    private final String leftSnapshot;

    public ResticException(String message, boolean locked) {
        this(message, locked, null);
    }

    public ResticException(String message, boolean locked, String leftSnapshot) {
        super(message);
        this.locked = locked;
        this.leftSnapshot = leftSnapshot;
    }

    /** The repository was locked by another restic process. */
    public boolean locked() {
        return locked;
    }

    /**
     * A snapshot restic made of what it got before the program feeding it failed: not a backup, to be
     * forgotten with the rest of the failed backup ({@code null}: none).
     */
    public String leftSnapshot() {
        return leftSnapshot;
    }
}
