package io.pgfleet.clusters.local;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.events.json.Json;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.Processes;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.runtime.credentials.ScramVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One of an instance's PgBouncer processes: its directory {@code <instance>/pooler-<kind>/} ({@code pgbouncer.ini}, its
 * certificates, pid file and log, the instance's account's), its port recorded in {@code <instance>/poolers.json} (kept
 * across restarts, and avoided by every other member's, {@link MemberPorts}), its process run as the instance's account.
 * It decides nothing: {@link LocalPlanner} says when to configure, start or remove it.
 */
final class LocalPooler {

    /** Which pool: read-write (to the primary) or read-only (to a standby). */
    enum Kind {
        RW, RO;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final String PORTS_FILE = "poolers.json";
    private static final TypeReference<TreeMap<String, Integer>> PORTS = new TypeReference<>() {
    };
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final LocalInstance instance;
    private final Kind kind;
    private final LocalSettings settings;

    LocalPooler(LocalInstance instance, Kind kind, LocalSettings settings) {
        this.instance = instance;
        this.kind = kind;
        this.settings = settings;
    }

    Kind kind() {
        return kind;
    }

    Path dir() {
        return instance.dir().resolve("pooler-" + kind.label());
    }

    Path ini() {
        return dir().resolve(PoolerConfig.FILE);
    }

    /** Whether anything of it is on disk (its directory or its recorded port). */
    boolean exists() {
        return Files.exists(dir()) || recordedPort().isPresent();
    }

    /** Its {@code pgbouncer.ini} as it is. */
    Optional<String> currentIni() {
        return LocalFiles.read(ini());
    }

    /** The port recorded for it, if one was. */
    OptionalInt recordedPort() {
        Integer port = readPorts(instance.dir()).get(kind.label());
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    /** Its port: the recorded one, or a new one chosen and recorded now. */
    int port() {
        OptionalInt recorded = recordedPort();
        if (recorded.isPresent()) {
            return recorded.getAsInt();
        }
        return MemberPorts.allocate(settings, free -> {
            TreeMap<String, Integer> ports = readPorts(instance.dir());
            Integer before = ports.putIfAbsent(kind.label(), free);
            if (before != null) {
                return before;
            }
            writePorts(ports);
            return free;
        });
    }

    /**
     * The pid of its PgBouncer, when one runs: the pid file's, and only when that process is a {@code pgbouncer} reading
     * this very file (the pid file is the instance account's to write; root never signals a process it names otherwise).
     */
    OptionalLong pid() {
        Optional<String> text = LocalFiles.read(dir().resolve(PoolerConfig.PID_FILE));
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long pid = Long.parseLong(text.get().strip());
            List<String> argv = Processes.commandLine(pid);
            boolean ours = Processes.isRunning(pid) && !argv.isEmpty() && Processes.programName(argv.get(0)).equals("pgbouncer")
                    && argv.contains(ini().toString());
            return ours ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    boolean isRunning() {
        return pid().isPresent();
    }

    /** The password of the pools' console user ({@link PoolerConfig#STATS_USER}), made once: the service's file, 0600. */
    String statsPassword() {
        Path file = instance.dir().resolve("pooler-stats.password");
        return LocalFiles.read(file).map(String::strip).orElseGet(() -> {
            String password = LocalInstance.randomSecret();
            LocalFiles.write(file, password + "\n", "rw-------");
            return password;
        });
    }

    /** Writes PgBouncer's user file when it has none: the console user's SCRAM verifier, no password. */
    void writeUsers() {
        Path users = dir().resolve(PoolerConfig.USERS_FILE);
        if (!Files.exists(users)) {
            LocalFiles.write(users, "\"" + PoolerConfig.STATS_USER + "\" \"" + ScramVerifier.of(statsPassword()) + "\"\n", "rw-------");
            instance.osUser().own(users);
        }
    }

    /** Makes its directory, the account's (0700): PgBouncer writes its pid file and log there. */
    void makeDirectory() {
        LocalFiles.mkdir(dir(), "rwx------");
        instance.osUser().own(dir());
    }

    /** Writes its configuration (root writes, never through a link; the account reads). */
    void writeIni(String text) {
        LocalFiles.write(ini(), text, "rw-------");
        instance.osUser().own(ini());
    }

    /**
     * Starts PgBouncer as the instance's account ({@code -d}: it writes its pid file and detaches), and waits until its
     * port answers. Called only when none runs ({@link #isRunning}): what a killed one left (its pid file, a PgBouncer on
     * this file without one) is cleared first, so a retried step never makes two.
     */
    Optional<String> start() {
        // A PgBouncer killed (SIGKILL, a crash) leaves its pid file, and PgBouncer will not start beside it; one a killed
        // predecessor started without its pid file still holds the port. Neither is ours to keep: this one is not running.
        Processes.stopAll(Processes.matching(argv -> !argv.isEmpty() && Processes.programName(argv.get(0)).equals("pgbouncer")
                && argv.contains(ini().toString())), Duration.ofSeconds(5));
        try {
            Files.deleteIfExists(dir().resolve(PoolerConfig.PID_FILE));
        } catch (IOException e) {
            return Optional.of("cannot remove the stale pid file of pooler " + kind.label() + ": " + e.getMessage());
        }
        // Each client is a file descriptor: PgBouncer gets as many as its account may have (its hard limit, as the account's
        // session has it), not the usual 1024.
        CommandResult started = ProcessRunner.run(instance.osUser().command(List.of("/bin/sh", "-c", "ulimit -Sn \"$(ulimit -Hn)\" && exec \"$@\"",
                "sh", pgbouncer(), "-d", ini().toString())), Map.of(), dir(), START_TIMEOUT);
        if (!started.ok()) {
            return Optional.of("pgbouncer did not start: " + started.tail(5) + lastLog());
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int port = port();
        while (System.nanoTime() < deadline) {
            if (isRunning() && answers(port)) {
                return Optional.empty();
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return Optional.of("pgbouncer did not listen on port " + port + " within " + START_TIMEOUT.toSeconds() + " s" + lastLog());
    }

    /** Makes PgBouncer read its configuration again (SIGHUP): a new primary is led to without a client noticing more. */
    void reload() {
        OptionalLong pid = pid();
        if (pid.isPresent()) {
            ProcessRunner.run(List.of("kill", "-HUP", Long.toString(pid.getAsLong())), Map.of(), Path.of("/"), Duration.ofSeconds(10));
        }
    }

    /** Stops PgBouncer (SIGTERM: at once; SIGKILL when it has not gone within 10 s) and waits for it. */
    void stop() {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return;
        }
        ProcessHandle.of(pid.getAsLong()).ifPresent(p -> Processes.stopAll(List.of(p), Duration.ofSeconds(10)));
    }

    /** Stops it and removes its directory and recorded port. */
    void remove() {
        stop();
        LocalFiles.deleteTree(dir());
        TreeMap<String, Integer> ports = readPorts(instance.dir());
        if (ports.remove(kind.label()) != null) {
            writePorts(ports);
        }
    }

    /** Debian's PgBouncer ({@code /usr/sbin} is not on every account's path). */
    private static String pgbouncer() {
        return Files.isExecutable(Path.of("/usr/sbin/pgbouncer")) ? "/usr/sbin/pgbouncer" : "pgbouncer";
    }

    private String lastLog() {
        return LocalFiles.read(dir().resolve(PoolerConfig.LOG_FILE))
                .map(log -> "; its log ends: " + String.join(" | ", log.lines().skip(Math.max(0, log.lines().count() - 3)).toList()))
                .orElse("");
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static TreeMap<String, Integer> readPorts(Path instanceDir) {
        Path file = instanceDir.resolve(PORTS_FILE);
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            return Json.mapper().readValue(file.toFile(), PORTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writePorts(TreeMap<String, Integer> ports) {
        try {
            LocalFiles.write(instance.dir().resolve(PORTS_FILE), Json.mapper().writeValueAsString(ports), "rw-r--r--");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
