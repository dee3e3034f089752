package io.pgfleet.servers;

import io.pgfleet.host.CommandResult;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.host.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.pgfleet.host.FileTrees;
import java.nio.file.StandardOpenOption;

/**
 * A real PostgreSQL server from the installed binaries, in its own directory on a free loopback
 * port, with a generated superuser password (TCP connections need it; the Unix socket is in the
 * server's own directory). When the JVM is root the server runs as an unprivileged account.
 * {@link #close()} stops it by the postmaster's process id and removes its directory.
 */
public final class PostgresServer implements AutoCloseable {

    /** The superuser initdb creates. */
    public static final String SUPERUSER = "postgres";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final PgBinaries binaries;
    private final OsUser osUser;
    private final Path directory;
    private final int port;
    private final String password;
    private final long pid;
    private final boolean temporary;

    private PostgresServer(PgBinaries binaries, OsUser osUser, Path directory, int port, String password, long pid, boolean temporary) {
        this.temporary = temporary;
        this.binaries = binaries;
        this.osUser = osUser;
        this.directory = directory;
        this.port = port;
        this.password = password;
        this.pid = pid;
    }

    /** Starts a fresh server; {@code settings} are written to postgresql.conf (name to value, quoted as needed). */
    public static PostgresServer start(Map<String, String> settings) {
        try {
            return start(Files.createTempDirectory("pgfleet-pg-"), Ports.free(), settings, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the server kept in {@code directory}, creating it on first use (its superuser password in
     * {@code directory/superuser.password}, mode 0600). A kept server is stopped on close, not deleted.
     */
    public static PostgresServer startKept(Path directory, int port) {
        return start(directory, port, Map.of(), false);
    }

    private static PostgresServer start(Path directory, int port, Map<String, String> settings, boolean temporary) {
        PgBinaries binaries = PgBinaries.find(Optional.ofNullable(System.getProperty("pgfleet.postgres.bin")).map(Path::of));
        OsUser osUser = OsUser.forPostgres(System.getProperty("pgfleet.postgres.os-user", "nobody"));
        try {
            Path data = directory.resolve("data");
            Path kept = directory.resolve("superuser.password");
            String password;
            if (Files.exists(data.resolve("PG_VERSION")) && Files.exists(kept)) {
                password = Files.readString(kept, StandardCharsets.UTF_8).strip();
                Path pidFile = data.resolve("postmaster.pid");
                if (Files.exists(pidFile)) {
                    long old = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                    if (Processes.isRunning(old)) {
                        throw new IllegalStateException("the PostgreSQL server in " + data + " already runs (pid " + old + ")");
                    }
                    Files.delete(pidFile); // left by a server that did not stop cleanly
                }
            } else {
                Files.createDirectories(directory);
                password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
                Path passwordFile = directory.resolve("pwfile");
                Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
                osUser.own(directory);
                run(osUser, List.of(binaries.tool("initdb"), "-D", data.toString(), "-U", SUPERUSER, "--pwfile=" + passwordFile,
                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"));
                Files.delete(passwordFile);
                StringBuilder conf = new StringBuilder("\n# pgfleet testkit\n")
                        .append("listen_addresses = '").append(Ports.LOOPBACK).append("'\n")
                        .append("port = ").append(port).append('\n')
                        .append("unix_socket_directories = '").append(directory).append("'\n");
                settings.forEach((name, value) -> conf.append(name).append(" = '").append(value.replace("'", "''")).append("'\n"));
                Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                if (!temporary) {
                    Files.writeString(kept, password + "\n", StandardCharsets.UTF_8);
                    Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-------"));
                }
            }
            run(osUser, List.of(binaries.tool("pg_ctl"), "-D", data.toString(), "-l", directory.resolve("server.log").toString(),
                    "-o", "-p " + port, "-w", "-t", "60", "start"));
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
            return new PostgresServer(binaries, osUser, directory, port, password, pid, temporary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a fresh server with the default settings. */
    public static PostgresServer start() {
        return start(Map.of());
    }

    private static CommandResult run(OsUser osUser, List<String> argv) {
        return ProcessRunner.check(osUser.command(argv), Map.of(), Path.of("/"), TIMEOUT);
    }

    public String host() {
        return Ports.LOOPBACK;
    }

    public int port() {
        return port;
    }

    /** The superuser's password. */
    public String password() {
        return password;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** A superuser connection to a database. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, password);
    }

    /** The installed binaries this server runs from. */
    public PgBinaries binaries() {
        return binaries;
    }

    /** The postmaster's process id. */
    public long pid() {
        return pid;
    }

    /** The server's directory (data/, the socket, server.log). */
    public Path directory() {
        return directory;
    }

    /** The account the server runs as. */
    public OsUser osUser() {
        return osUser;
    }

    @Override
    public void close() {
        // pg_ctl stops the postmaster named in postmaster.pid, i.e. the process we started.
        CommandResult stop = ProcessRunner.run(osUser.command(List.of(binaries.tool("pg_ctl"), "-D", directory.resolve("data").toString(),
                "-m", "fast", "-w", "-t", "60", "stop")), Map.of(), Path.of("/"), TIMEOUT);
        // pg_ctl returns once postmaster.pid is gone, a moment before the postmaster exits.
        if (!stop.ok() || !Processes.awaitExit(pid, Duration.ofSeconds(30))) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            Processes.awaitExit(pid, Duration.ofSeconds(10));
        }
        if (temporary) {
            FileTrees.delete(directory);
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL " + binaries.majorVersion() + " at " + host() + ":" + port + " (pid " + pid + ")";
    }
}
