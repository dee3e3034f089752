package io.pgfleet.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The OS account PostgreSQL runs as. PostgreSQL refuses to run as root, so when this JVM is root the
 * server programs run through {@code runuser} as an unprivileged account (default {@code nobody}),
 * and the directories they use are handed to that account. Otherwise they run as this JVM's user.
 */
public final class OsUser {

    private static final Duration ID_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    /** Whether the account belongs to one instance: made with it ({@link #ensureExists}), removed with it ({@link #removeIfOwn}). */
    private final boolean own;
    /** The account's uid and primary gid, asked once ({@code id}, so accounts from any name service work). */
    private volatile int[] ids;

    private OsUser(String name, boolean own) {
        this.name = name;
        this.own = own;
    }

    private OsUser(String name) {
        this(name, false);
    }

    /** An account of one instance's own (the JVM must be root to make it). */
    public static OsUser perInstance(String name) {
        if (!name.matches("[a-z_][a-z0-9_-]{0,31}")) {
            throw new IllegalArgumentException("'" + name + "' is not an account name");
        }
        return new OsUser(name, true);
    }

    /**
     * Makes the instance's own account when it does not exist yet: a system account with a group of its own, no home
     * and no login shell ({@code useradd --system}). Safe to call again, and after a predecessor was killed half-way.
     */
    public void ensureExists() {
        if (!own || exists()) {
            return;
        }
        CommandResult made = ProcessRunner.run(List.of("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", "--comment", "pgfleet instance", name), Map.of(), null, ID_TIMEOUT);
        if (!made.ok() && !exists()) {
            throw new IllegalStateException("cannot make the account " + name + ": " + made.output().strip());
        }
    }

    /** Removes the instance's own account (and its group) once nothing of the instance is left; a shared account stays. */
    public void removeIfOwn() {
        if (!own || !exists()) {
            return;
        }
        // Whatever still runs as the account (an asynchronous WAL push finishing, a program a killed predecessor left) goes
        // first: no process may outlive its account, and a later account given the same uid must inherit nothing.
        ProcessHandle.allProcesses().filter(process -> process.info().user().filter(name::equals).isPresent()).forEach(process -> {
            process.destroyForcibly();
            Processes.awaitExit(process.pid(), Duration.ofSeconds(10));
        });
        CommandResult removed = ProcessRunner.run(List.of("userdel", name), Map.of(), null, ID_TIMEOUT);
        if (!removed.ok() && exists()) {
            throw new IllegalStateException("cannot remove the account " + name + ": " + removed.output().strip());
        }
        ids = null;
    }

    private boolean exists() {
        return ProcessRunner.run(List.of("id", "-u", name), Map.of(), null, ID_TIMEOUT).ok();
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

    /**
     * Hands a directory tree to this account and its primary group, like {@code chown -R name: path} (symbolic links
     * themselves, never what they point to), without starting a process per call; a no-op when commands do not switch.
     * A file under {@code path} that goes away meanwhile needs no owner.
     */
    public void own(Path path) {
        if (name == null) {
            return;
        }
        int[] account = ids();
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path file : (Iterable<Path>) tree::iterator) {
                try {
                    Files.setAttribute(file, "unix:uid", account[0], LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(file, "unix:gid", account[1], LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    if (file.equals(path)) {
                        throw gone;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hand " + path + " to " + name + ": " + e.getMessage(), e);
        }
    }

    private int[] ids() {
        int[] known = ids;
        if (known == null) {
            known = new int[] {id("-u"), id("-g")};
            ids = known;
        }
        return known;
    }

    private int id(String option) {
        String out = ProcessRunner.check(List.of("id", option, name), Map.of(), null, ID_TIMEOUT).output().strip();
        try {
            return Integer.parseInt(out);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("id " + option + " " + name + " answered '" + out + "'", e);
        }
    }
}
