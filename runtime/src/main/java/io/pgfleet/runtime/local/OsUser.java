package io.pgfleet.runtime.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OS account PostgreSQL runs as. PostgreSQL refuses to run as root, so when this JVM is root the
 * server programs run through {@code runuser} as an unprivileged account (default {@code nobody}),
 * and the directories they use are handed to that account. Otherwise they run as this JVM's user.
 */
public final class OsUser {

    private static final Duration CHOWN_TIMEOUT = Duration.ofMinutes(2);

    private final String name;

    private OsUser(String name) {
        this.name = name;
    }

    /**
     * The account for PostgreSQL processes.
     *
     * @param unprivileged the account to use when this JVM runs as root, e.g. {@code nobody}
     */
    public static OsUser forPostgres(String unprivileged) {
        return new OsUser(isRoot() ? unprivileged : null);
    }

    /** Whether this JVM runs as root. */
    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Whether commands switch to another account. */
    public boolean switches() {
        return name != null;
    }

    /** The account's name, or this JVM's user when commands do not switch. */
    public String name() {
        return name != null ? name : System.getProperty("user.name");
    }

    /** The argument vector that runs {@code argv} as this account. */
    public List<String> command(List<String> argv) {
        if (name == null) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", name, "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    /** Hands a directory tree to this account (no-op when commands do not switch). */
    public void own(Path path) {
        if (name != null) {
            ProcessRunner.check(List.of("chown", "-R", name + ":", path.toString()), Map.of(), null, CHOWN_TIMEOUT);
        }
    }
}
