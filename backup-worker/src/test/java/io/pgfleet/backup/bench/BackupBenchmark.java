package io.pgfleet.backup.bench;

import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.host.FileTrees;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.servers.S3Server;
import io.pgfleet.testkit.ServiceFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import io.pgfleet.testkit.Medians;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Backs up and restores a database of about 1 GiB through the backup-worker (publish → SUCCEEDED) and
 * with a raw {@code pg_dump -Fc | restic backup --stdin} and {@code restic dump | pg_restore} in the
 * same run, against the same S3 server, and prints the ratios (goal: at most 1.1×). Run with
 * {@code bench/backup-worker.sh [MiB]}.
 */
public final class BackupBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(60);
    private static final String PASSWORD = "bench-restic-password";

    private BackupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (ServiceFixture fixture = new ServiceFixture("backup-worker"); S3Server s3 = S3Server.start()) {
            fixture.start(Map.of("pgfleet.backup.tick", "1s", "pgfleet.backup.allowed-endpoints", java.net.URI.create(s3.endpoint()).getAuthority()));
            InstanceKey source = fixture.track(new InstanceKey("bench", "big"));
            InstanceKey viaWorker = fixture.track(new InstanceKey("bench", "copy-worker"));
            InstanceKey viaRaw = fixture.track(new InstanceKey("bench", "copy-raw"));
            ClusterSpec one = new ClusterSpec(false, "20Gi", 1, "local", Map.of("max_wal_size", "4GB"), 0, 0);
            for (InstanceKey key : List.of(source, viaWorker, viaRaw)) {
                while (fixture.driver().apply(key, one).outcome() != Step.Outcome.DONE) {
                    // each call is one bounded step
                }
            }
            Endpoint endpoint = fixture.driver().primary(source).orElseThrow();
            long bytes = fill(endpoint, mib);
            System.out.printf("database 'big': %d MiB%n", bytes >> 20);

            Postgres doc = Postgres.of(source.name(), source.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                    new Backup(true, "us-east-1", s3.endpoint() + "/bench", "0 3 * * *", null, s3.accessKey(), s3.secretKey(), PASSWORD, null), null));
            expect(fixture, fixture.publisher.publish(CommandType.PROVISION, source, doc));

            run(List.of(new Pipeline.Stage(List.of("restic", "--no-cache", "-r", resticRepo(s3, "raw"), "init"), env(s3))));
            PgBinaries pg = PgBinaries.find(Optional.empty());
            Endpoint rawTarget = fixture.driver().primary(viaRaw).orElseThrow();
            // Each way once per round, alternating, so neither always meets a warm or a cold cache; medians and ranges count.
            List<Long> workerBackups = new ArrayList<>();
            List<Long> rawBackups = new ArrayList<>();
            List<Long> workerRestores = new ArrayList<>();
            List<Long> rawRestores = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                long raw = timed(() -> run(List.of(
                        pgTool(pg, "pg_dump", endpoint, "-Fc", "-d", "big"),
                        new Pipeline.Stage(List.of("restic", "--no-cache", "-r", resticRepo(s3, "raw"), "backup", "--stdin", "--stdin-filename",
                                "big.dump", "--quiet"), env(s3)))));
                long worker = timed(() -> expect(fixture, fixture.publisher.publish(CommandType.BACKUP, source,
                        new BackupCommand(source.name(), source.namespace()))));
                long rawBack = timed(() -> run(List.of(
                        new Pipeline.Stage(List.of("restic", "--no-cache", "-r", resticRepo(s3, "raw"), "dump", "latest", "/big.dump"), env(s3)),
                        pgTool(pg, "pg_restore", rawTarget, "--clean", "--if-exists", "--create", "--exit-on-error", "-d", "postgres"))));
                long workerBack = timed(() -> expect(fixture, fixture.publisher.publish(CommandType.RESTORE, viaWorker,
                        new RestoreCommand(viaWorker.name(), viaWorker.namespace(), source.toString(), null, "big"))));
                System.out.printf("round %d: backup worker %d ms, raw %d ms; restore worker %d ms, raw %d ms%n", round, worker, raw,
                        workerBack, rawBack);
                workerBackups.add(worker);
                rawBackups.add(raw);
                workerRestores.add(workerBack);
                rawRestores.add(rawBack);
            }

            System.out.println();
            System.out.printf("%d MiB database, medians of %d rounds (ms, range)   worker               raw                  ratio%n",
                    bytes >> 20, rounds);
            line("backup", workerBackups, rawBackups, "0.6");
            line("restore", workerRestores, rawRestores, "0.8");
            long workerBytes = FileTrees.size(s3.directory().resolve("bench"));
            long rawBytes = FileTrees.size(s3.directory().resolve("bench-raw"));
            System.out.printf("repository after %d backups (MiB) %6d %8d   %.2fx (goal <= 1.1x)%n", rounds, workerBytes >> 20, rawBytes >> 20,
                    (double) workerBytes / rawBytes);
            System.out.println("(worker: from publishing the command to its SUCCEEDED event; it also saves the roles, the "
                    + "'postgres' database and the manifest)");
        }
        System.exit(0);
    }

    /** One row: each side's median and range, and the ratio of the medians against its goal. */
    private static void line(String what, List<Long> worker, List<Long> raw, String goal) {
        System.out.printf("%-8s %22s %22s   %.2fx (goal <= %sx)%n", what, Medians.withRange(worker), Medians.withRange(raw),
                (double) Medians.of(worker) / Medians.of(raw), goal);
    }

    static long fill(Endpoint endpoint, long mib) throws Exception {
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password());
             Statement sql = c.createStatement()) {
            sql.execute("CREATE DATABASE big");
        }
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("big"), endpoint.user(), endpoint.password());
             Statement sql = c.createStatement()) {
            sql.execute("CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz, kind text, payload text)");
            long rows = mib * 1024 * 1024 / 180; // ~180 bytes per row on disk, index included
            for (long from = 1; from <= rows; from += 1_000_000) {
                long to = Math.min(rows, from + 999_999);
                sql.execute("INSERT INTO events SELECT g, now() - g * interval '1 second', 'kind-' || (g % 17), "
                        + "md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) FROM generate_series(" + from + ", " + to + ") g");
            }
            sql.execute("VACUUM ANALYZE events");
            try (ResultSet size = sql.executeQuery("SELECT pg_database_size('big')")) {
                size.next();
                return size.getLong(1);
            }
        }
    }

    static void expect(ServiceFixture fixture, String commandId) {
        StatusEvent done = fixture.feed.awaitFinal(commandId, "backup-worker", TIMEOUT);
        if (done.phase() != Phase.SUCCEEDED) {
            throw new IllegalStateException("ended " + done.phase() + ": " + done.message() + " " + done.errors());
        }
    }

    static long timed(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    static void run(List<Pipeline.Stage> stages) {
        Pipeline.Result result = Pipeline.run(stages, null, TIMEOUT);
        if (!result.ok()) {
            throw new IllegalStateException(result.failure());
        }
    }

    static String resticRepo(S3Server s3, String path) {
        return "s3:" + s3.endpoint() + "/bench-raw/" + path;
    }

    static Map<String, String> env(S3Server s3) {
        return Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(), "RESTIC_PASSWORD", PASSWORD);
    }

    static Pipeline.Stage pgTool(PgBinaries pg, String tool, Endpoint endpoint, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(pg.tool(tool), "-h", endpoint.host(), "-p", Integer.toString(endpoint.port()),
                "-U", endpoint.user()));
        argv.addAll(List.of(args));
        return new Pipeline.Stage(argv, Map.of("PGPASSWORD", endpoint.password()));
    }
}
