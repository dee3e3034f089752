package io.pgfleet.clusters.local;

import io.pgfleet.runtime.credentials.ScramVerifier;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.host.Processes;
import java.io.IOException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import io.pgfleet.clusters.TenantSession;
import io.pgfleet.host.OsUser;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;

/** One PostgreSQL process of a local instance and its directory. */
final class LocalMember {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);

    private final LocalInstance instance;
    private final int index;
    private final int port;
    private final LocalSettings settings;

    LocalMember(LocalInstance instance, int index, int port, LocalSettings settings) {
        this.instance = instance;
        this.index = index;
        this.port = port;
        this.settings = settings;
    }

    int index() {
        return index;
    }

    int port() {
        return port;
    }

    String name() {
        return instance.memberName(index);
    }

    /** Whether the instance's designation names this member the primary. */
    boolean isPrimary() {
        return index == instance.primaryIndex();
    }

    /** Its physical replication slot on the primary, which keeps the WAL it has not received yet. */
    String slotName() {
        return "member_" + index;
    }

    Path dir() {
        return instance.dir().resolve("member-" + index);
    }

    /**
     * Where PostgreSQL puts its Unix socket: the member directory, or, when that path is too long
     * for a socket address (108 bytes), a short directory under /tmp named after it.
     */
    Path socketDir() {
        Path dir = dir();
        if (dir.toString().length() + "/.s.PGSQL.65535.lock".length() < 100) {
            return dir;
        }
        Path shortDir = shortSocketDir();
        if (!Files.isDirectory(shortDir)) {
            LocalFiles.mkdir(shortDir, "rwx------");
            osUser().own(shortDir);
        }
        return shortDir;
    }

    /** Removes the member's files, its socket directory included (it is stopped). */
    void deleteFiles() {
        LocalFiles.deleteTree(dir());
        LocalFiles.deleteTree(shortSocketDir());
    }

    private Path shortSocketDir() {
        Path dir = dir();
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(dir.toString().getBytes(StandardCharsets.UTF_8));
            return Path.of("/tmp", "pgfleet-socket-" + HexFormat.of().formatHex(hash).substring(0, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Path dataDir() {
        return dir().resolve("data");
    }

    Path logFile() {
        return dir().resolve("server.log");
    }

    /** Whether the member was created to the end (an interrupted initdb or base backup is not). */
    boolean isComplete() {
        return Files.exists(dir().resolve("complete"));
    }

    void markComplete() {
        LocalFiles.write(dir().resolve("complete"), "", "rw-r--r--");
    }

    /** What the directory shows for {@link MemberCreation}. */
    MemberCreation.Disk disk() {
        // postmaster.opts is written by every server start: its presence means the data served.
        return new MemberCreation.Disk(Files.exists(initialisedMarker()), Files.exists(dataDir().resolve("postmaster.opts")), isComplete());
    }

    /** Written only after initdb or the base backup finished, before any server starts on the data. */
    void markInitialised() {
        LocalFiles.write(initialisedMarker(), "", "rw-r--r--");
    }

    private Path initialisedMarker() {
        return dir().resolve("initialised");
    }

    /**
     * Starts from an empty member directory owned by the PostgreSQL account. Only for a directory whose
     * data never served ({@link MemberCreation#next} said {@code MAKE_DATA}).
     */
    void wipe() {
        if (disk().initialised() || disk().served()) {
            throw new IllegalStateException("refusing to empty " + dir() + ": its data was made to the end or has served");
        }
        LocalFiles.deleteTree(dir());
        LocalFiles.mkdir(dir(), "rwx------");
        osUser().own(dir());
    }

    /** The postmaster's pid when it runs. */
    OptionalLong pid() {
        return Postmaster.pid(dataDir());
    }

    boolean isRunning() {
        return pid().isPresent();
    }

    /** initdb with the superuser's password from a file only the PostgreSQL account can read. */
    void initdb(String superuserPassword) {
        initdb(settings, osUser(), dataDir(), superuserPassword, List.of());
    }

    /**
     * initdb of {@code dataDir} (its parent the account's) as {@code account}, the superuser's verifier read from a file
     * beside it that only that account can read and that is gone afterwards (PostgreSQL keeps a verifier it is given as
     * it is: the password itself is never written where the account reads; its few rounds are
     * {@link ScramVerifier#ofRandomSecret}'s, the password being {@link LocalInstance#randomSecret}'s); then the includes of
     * pgfleet's files.
     * {@code prefix} goes before the program ({@code nice} for the warm pool's work in the background).
     */
    static void initdb(LocalSettings settings, OsUser account, Path dataDir, String superuserPassword, List<String> prefix) {
        Path pwfile = dataDir.resolveSibling("pwfile");
        LocalFiles.write(pwfile, ScramVerifier.ofRandomSecret(superuserPassword) + "\n", "rw-------");
        account.own(pwfile);
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of(settings.binaries().tool("initdb"), "-D", dataDir.toString(), "-U", LocalInstance.SUPERUSER,
                "--pwfile=" + pwfile, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale"));
        try {
            ProcessRunner.check(account.command(argv), Map.of(), Path.of("/"), COMMAND_TIMEOUT);
        } finally {
            LocalFiles.deleteTree(pwfile);
        }
        Path conf = dataDir.resolve("postgresql.conf");
        LocalFiles.write(conf, LocalFiles.read(conf).orElse("") + MemberConfig.includes(), "rw-------");
        account.own(conf);
    }

    /** pg_basebackup -R from the primary through this member's replication slot (made first), as the replication user, with its application_name. */
    void cloneFrom(LocalMember primary) {
        // The copy runs over loopback between two members of this machine, in clear (encrypting it cost a third of a
        // replica's creation). Its replication slot exists on the primary already (LocalSteps.makeData). The password comes
        // from the instance's password file only: never a prompt, which under a terminal would wait for an answer.
        run(List.of(settings.binaries().tool("pg_basebackup"), "-D", dataDir().toString(), "-h", "127.0.0.1",
                        "-p", Integer.toString(primary.port()), "-U", LocalInstance.REPLICATION_USER, "-X", "stream", "-R",
                        "-S", slotName(), "-d", "application_name=" + name() + " sslmode=disable", "--checkpoint=fast", "--no-sync",
                        "--no-password"),
                Map.of("PGPASSFILE", instance.pgpassFile().toString()));
        // -R wrote primary_conninfo and primary_slot_name to postgresql.auto.conf; they are managed in pgfleet-managed.conf instead.
        Path auto = dataDir().resolve("postgresql.auto.conf");
        String kept = LocalFiles.read(auto).orElse("").lines().filter(l -> !l.startsWith("primary_conninfo") && !l.startsWith("primary_slot_name"))
                .reduce("", (a, b) -> a + b + "\n");
        writeOwned(auto, kept);
    }

    /** What pgfleet-managed.conf must say for a replica to follow the primary. */
    String primaryConninfo(LocalMember primary) {
        // Over TLS, verifying the primary's certificate against the data root's CA.
        return "host=127.0.0.1 port=" + primary.port() + " user=" + LocalInstance.REPLICATION_USER + " passfile="
                + instance.pgpassFile() + " application_name=" + name()
                + (settings.tlsEnabled() ? " sslmode=verify-full sslrootcert=" + settings.caCertificate() : "");
    }

    /** The configuration files as they are now: file name to text (absent files as ""). */
    Map<String, String> configFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : List.of(MemberConfig.MANAGED_FILE, MemberConfig.PARAMETERS_FILE, "pg_hba.conf")) {
            files.put(name, LocalFiles.read(dataDir().resolve(name)).orElse(""));
        }
        return files;
    }

    void writeConfigFiles(Map<String, String> files) {
        files.forEach((name, text) -> writeOwned(dataDir().resolve(name), text));
    }


    /**
     * Has PostgreSQL read the whole configuration, as it would on start.
     *
     * @return PostgreSQL's own complaint, or empty when the configuration is valid
     */
    Optional<String> checkConfiguration() {
        CommandResult result = ProcessRunner.run(osUser().command(List.of(settings.binaries().tool("postgres"), "-D",
                dataDir().toString(), "-C", "port")), Map.of(), Path.of("/"), COMMAND_TIMEOUT);
        if (result.ok()) {
            return Optional.empty();
        }
        return Optional.of(Postmaster.complaint(result.output()));
    }

    /** Starts the member; returns PostgreSQL's complaint when it does not come up. */
    Optional<String> start() {
        try {
            Files.deleteIfExists(logFile());
            Postmaster.clearAfterCrash(dataDir(), socketDir(), port);
            Postmaster.clearStaleSocket(dataDir(), socketDir(), port);
        } catch (IOException e) {
            // the old log stays; its last lines still tell
        }
        Optional<String> complaint = Postmaster.start(settings, osUser(), dataDir(), logFile());
        if (complaint.isEmpty()) {
            // Kept beside the data: a member whose data directory is gone can still be stopped by its pid (fencing).
            LocalFiles.write(dir().resolve("postmaster.last-pid"), pid().getAsLong() + "\n", "rw-r--r--");
        }
        return complaint;
    }

    /** Stops the member (fast shutdown) and waits for its process to exit. */
    void stop() {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return;
        }
        ProcessRunner.run(osUser().command(List.of(settings.binaries().tool("pg_ctl"), "-D", dataDir().toString(), "-m", "fast",
                "-w", "-t", "60", "stop")), Map.of(), Path.of("/"), Duration.ofSeconds(90));
        if (!Processes.awaitExit(pid.getAsLong(), Duration.ofSeconds(30))) {
            ProcessHandle.of(pid.getAsLong()).ifPresent(ProcessHandle::destroyForcibly);
            Processes.awaitExit(pid.getAsLong(), Duration.ofSeconds(10));
        }
    }

    /**
     * SIGKILL of the postmaster and of every process under it — backends, walsenders, a frozen one too (SIGKILL ends a
     * stopped process) — children first, as they are when the postmaster is gone: what fences a primary that does not
     * answer, which a fast shutdown would wait for in vain. Its data is left as a crash leaves it.
     */
    void kill() {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return;
        }
        Postmaster.kill(pid.getAsLong());
    }

    /** Asks for a fast shutdown and returns at once ({@code pg_ctl stop -W}); the postmaster ends when it has done. */
    void requestStop() {
        if (pid().isEmpty()) {
            return;
        }
        ProcessRunner.run(osUser().command(List.of(settings.binaries().tool("pg_ctl"), "-D", dataDir().toString(), "-m", "fast", "-W",
                "stop")), Map.of(), Path.of("/"), Duration.ofSeconds(30));
    }

    void reload() {
        run(List.of(settings.binaries().tool("pg_ctl"), "-D", dataDir().toString(), "reload"));
    }

    /**
     * The driver's own superuser connection, over loopback without TLS: it runs on the member's machine and reads the
     * superuser's password from the instance's directory, so a TLS handshake per step would protect nothing (and cost
     * tens of milliseconds each). The services and clients reach members with {@code sslmode=verify-full}.
     */
    Connection connect(String database) throws SQLException {
        return open(driverUrl(port, database));
    }

    /** The same, given up when connecting or any round trip takes longer than {@code timeout} (a look at a member that may hang). */
    Connection connect(String database, Duration timeout) throws SQLException {
        String seconds = Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000));
        return open(TenantSession.jdbcUrl("127.0.0.1", port, database, "connectTimeout=" + seconds + "&loginTimeout=" + seconds
                + "&socketTimeout=" + seconds + "&sslmode=disable"));
    }

    private Connection open(String url) throws SQLException {
        Connection connection = DriverManager.getConnection(url, LocalInstance.SUPERUSER, instance.superuserPassword());
        try (Statement sql = connection.createStatement()) {
            // The driver's own commits (the replication role, its password) never wait for a synchronous standby: a step
            // retried after its predecessor was killed, on a primary already naming standbys that do not stream yet,
            // would otherwise wait for them until the socket timeout (a crash drill saw five minutes of nothing). What
            // it writes is asserted again at every step, and reaches the standbys with the WAL.
            sql.execute("SET synchronous_commit = local");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /**
     * The driver's own connection to a member on this machine: bounded at every stage, so a step or a look at a member
     * never waits forever — not for the port (10s), not for the server's answer to the login (a program other than the
     * member's server answering on its port, or none at all: 10s), not for a statement's reply (5 minutes: a checkpoint
     * of a large primary before a rewind is the longest the driver waits for).
     */
    static String driverUrl(int port, String database) {
        return TenantSession.jdbcUrl("127.0.0.1", port, database, "connectTimeout=10&loginTimeout=10&socketTimeout="
                + SOCKET_TIMEOUT.toSeconds() + "&sslmode=disable");
    }

    /** How long the driver's own statements may wait for an answer (a checkpoint, a promotion). */
    static final Duration SOCKET_TIMEOUT = Duration.ofMinutes(5);

    /** The OS account the member's server and programs run as (its instance's). */
    OsUser osUser() {
        return instance.osUser();
    }

    Path restartMarker() {
        return dir().resolve("restart-pending");
    }

    private void run(List<String> argv) {
        run(argv, Map.of());
    }

    private void run(List<String> argv, Map<String, String> environment) {
        ProcessRunner.check(osUser().command(argv), environment, Path.of("/"), COMMAND_TIMEOUT);
    }

    private void writeOwned(Path file, String text) {
        LocalFiles.write(file, text, "rw-------");
        osUser().own(file);
    }


}
