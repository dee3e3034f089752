package io.pgfleet.backup.bench;

import io.pgfleet.clusters.ArchiveLayout;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.FileTrees;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.servers.Ports;
import io.pgfleet.servers.S3Server;
import io.pgfleet.testkit.ServiceFixture;
import io.pgfleet.testkit.Medians;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Benchmark, not a test: a database of about {@code MiB} (default 1024) with WAL archiving, a base backup, then about a
 * quarter of that again written as WAL; restored to a time after those writes (1) through the backup-worker into another
 * instance ({@code restore --from big --pointInTime T}: members stopped, delta restore, replay, promote) and (2) raw:
 * {@code pgbackrest restore --type=time} into an empty directory, {@code pg_ctl start}, waiting for the promotion — in the
 * same run, against the same repository, twice each alternating; the best of each counts. Run with {@code bench/pitr.sh
 * [MiB]}.
 */
public final class PitrBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(60);
    private static final DateTimeFormatter TARGET = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private PitrBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (ServiceFixture fixture = new ServiceFixture("backup-worker"); S3Server s3 = S3Server.start()) {
            fixture.start(Map.of("pgfleet.backup.tick", "1s", "pgfleet.backup.allowed-endpoints", java.net.URI.create(s3.endpoint()).getAuthority(), "pgfleet.backup.wal-s3-endpoint-override", s3.secureEndpoint(),
                    "pgfleet.backup.s3-ca-file", s3.caCertificate().toString()));
            InstanceKey source = fixture.track(new InstanceKey("bench", "big"));
            List<InstanceKey> copies = new java.util.ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                copies.add(fixture.track(new InstanceKey("bench", "copy-" + round)));
            }
            settle(fixture, source, new ClusterSpec(false, "20Gi", 1, "local", Map.of("max_wal_size", "4GB"), 0, 0, true, null));
            for (InstanceKey copy : copies) {
                settle(fixture, copy, new ClusterSpec(false, "20Gi", 1, "local", Map.of("max_wal_size", "4GB"), 0, 0));
            }
            Endpoint endpoint = fixture.driver().primary(source).orElseThrow();
            long bytes = BackupBenchmark.fill(endpoint, mib);
            System.out.printf("database 'big': %d MiB%n", bytes >> 20);

            Files.createDirectories(s3.directory().resolve("bench"));
            Postgres doc = Postgres.of(source.name(), source.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                    new Backup(true, "us-east-1", s3.endpoint() + "/bench", "0 3 * * *", null, s3.accessKey(), s3.secretKey(), "bench-restic-password", null), null));
            long baseBackup = BackupBenchmark.timed(() -> BackupBenchmark.expect(fixture,
                    fixture.publisher.publish(CommandType.PROVISION, source, doc)));
            System.out.printf("provision with the first base backup: %d ms%n", baseBackup);
            Instant provisioned = Instant.now();

            long walStart = lsn(endpoint);
            try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("big"), endpoint.user(), endpoint.password());
                 Statement sql = c.createStatement()) {
                sql.execute("CREATE TABLE after_backup AS SELECT g AS id, md5(g::text) || md5((g * 3)::text) AS payload "
                        + "FROM generate_series(1, " + (mib * 1024 * 1024 / 4 / 130) + ") g");
            }
            System.out.printf("WAL written after the base backup: %d MiB%n", (lsn(endpoint) - walStart) >> 20);
            while (Instant.now().isBefore(provisioned.plusSeconds(2))) {
                Thread.sleep(100);   // the window starts the second after the base backup ended (a tiny database writes faster)
            }
            Instant target = Instant.now();
            try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("big"), endpoint.user(), endpoint.password());
                 Statement sql = c.createStatement()) {
                sql.execute("CREATE TABLE after_target (id int)");
            }

            ArchiveLayout layout = fixture.driver().archiveLayout(source).orElseThrow();
            PgBinaries pg = PgBinaries.find(Optional.empty());
            // Each way once per round, alternating which goes first; medians and ranges count.
            List<Long> viaWorker = new java.util.ArrayList<>();
            List<Long> raw = new java.util.ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                InstanceKey copy = copies.get(round);
                Runnable worker = () -> BackupBenchmark.expect(fixture, fixture.publisher.publish(CommandType.RESTORE, copy,
                        new RestoreCommand(copy.name(), copy.namespace(), source.name(), null, null, target.toString())));
                Runnable pgbackrest = () -> rawRestore(layout, pg, endpoint.password(), target);
                if (round % 2 == 0) {
                    viaWorker.add(BackupBenchmark.timed(worker));
                    raw.add(BackupBenchmark.timed(pgbackrest));
                } else {
                    raw.add(BackupBenchmark.timed(pgbackrest));
                    viaWorker.add(BackupBenchmark.timed(worker));
                }
                System.out.printf("round %d: backup-worker %d ms, raw %d ms%n", round + 1, viaWorker.get(round), raw.get(round));
            }
            System.out.printf("restore to a time, medians of %d rounds: backup-worker %s ms, raw pgbackrest restore + start %s ms: "
                    + "%.2fx (goal <= 1.1x)%n", rounds, Medians.withRange(viaWorker), Medians.withRange(raw),
                    (double) Medians.of(viaWorker) / Medians.of(raw));
        }
        // The shared embedded broker's threads are not daemons: without this the JVM outlives the result (seen: four minutes).
        System.exit(0);
    }

    /** pgBackRest into an empty directory, PostgreSQL started on it (its own port, no archiving), until it is promoted. */
    private static void rawRestore(ArchiveLayout layout, PgBinaries pg, String password, Instant target) {
        Path dir = layout.workDir().resolveSibling("raw-" + System.nanoTime());
        int port = Ports.free();
        try {
            Files.createDirectories(dir);
            layout.account().own(dir);
            check(ProcessRunner.run(layout.account().command(List.of("pgbackrest", "--config=" + layout.configFile(), "--stanza=" + layout.stanza(),
                    "--pg1-path=" + dir, "--log-level-console=warn", "restore", "--type=time", "--target=" + TARGET.format(target),
                    "--target-action=promote")), Map.of(), Path.of("/"), TIMEOUT));
            check(ProcessRunner.run(layout.account().command(List.of(pg.tool("pg_ctl"), "-D", dir.toString(), "-l", dir.resolve("log").toString(),
                    "-w", "-t", "3600", "-o", "-p " + port + " -c unix_socket_directories=" + dir + " -c archive_mode=off", "start")), Map.of(),
                    Path.of("/"), TIMEOUT));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?sslmode=disable", "postgres",
                        password); Statement sql = c.createStatement(); var row = sql.executeQuery("SELECT pg_is_in_recovery()")) {
                    row.next();
                    if (!row.getBoolean(1)) {
                        break;
                    }
                } catch (java.sql.SQLException e) {
                    // starting
                }
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            ProcessRunner.run(layout.account().command(List.of(pg.tool("pg_ctl"), "-D", dir.toString(), "-m", "immediate", "stop")), Map.of(),
                    Path.of("/"), Duration.ofMinutes(1));
            FileTrees.delete(dir);
        }
    }

    private static void check(CommandResult result) {
        if (!result.ok()) {
            throw new IllegalStateException(result.tail(10));
        }
    }

    private static void settle(ServiceFixture fixture, InstanceKey key, ClusterSpec spec) {
        while (fixture.driver().apply(key, spec).outcome() != Step.Outcome.DONE) {
            // each call is one bounded step
        }
    }

    private static long lsn(Endpoint endpoint) throws Exception {
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password());
             Statement sql = c.createStatement(); var row = sql.executeQuery("SELECT pg_current_wal_lsn() - '0/0'")) {
            row.next();
            return row.getLong(1);
        }
    }
}
