package io.pgfleet.backup.bench;

import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.VerifyCommand;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.servers.S3Server;
import io.pgfleet.testkit.Medians;
import io.pgfleet.testkit.ServiceFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A restore drill ({@code verify}) of a backup of about 1 GiB through the backup-worker (publish → SUCCEEDED) against the
 * same work by hand, in the same run and against the same S3 server: an empty server made and started, {@code restic
 * dump | pg_restore} of a raw {@code pg_dump -Fc | restic backup --stdin} of the same database, each table's rows counted,
 * {@code pg_amcheck --all}, the server removed. Alternating rounds, medians with ranges (goal: at most 1.2×). Run with
 * {@code bench/verify.sh [MiB] [rounds]}.
 */
public final class VerifyBenchmark {

    private static final String PASSWORD = "bench-restic-password";

    private VerifyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (ServiceFixture fixture = new ServiceFixture("backup-worker"); S3Server s3 = S3Server.start()) {
            // The by-hand side's servers are made beside the drills' and known to no job: the sweeper would remove them.
            fixture.start(Map.of("pgfleet.backup.tick", "1s", "pgfleet.backup.allowed-endpoints", java.net.URI.create(s3.endpoint()).getAuthority(),
                    "pgfleet.backup.drill-sweep", "24h"));
            InstanceKey source = fixture.track(new InstanceKey("bench", "big"));
            ClusterSpec one = new ClusterSpec(false, "20Gi", 1, "local", Map.of("max_wal_size", "4GB"), 0, 0);
            while (fixture.driver().apply(source, one).outcome() != Step.Outcome.DONE) {
                // each call is one bounded step
            }
            Endpoint endpoint = fixture.driver().primary(source).orElseThrow();
            long bytes = BackupBenchmark.fill(endpoint, mib);
            System.out.printf("database 'big': %d MiB%n", bytes >> 20);
            Postgres doc = Postgres.of(source.name(), source.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                    new Backup(true, "us-east-1", s3.endpoint() + "/bench", "0 3 * * *", null, s3.accessKey(), s3.secretKey(), PASSWORD, null), null));
            BackupBenchmark.expect(fixture, fixture.publisher.publish(CommandType.PROVISION, source, doc));
            BackupBenchmark.expect(fixture, fixture.publisher.publish(CommandType.BACKUP, source, new BackupCommand(source.name(), source.namespace())));
            BackupBenchmark.run(List.of(new Pipeline.Stage(List.of("restic", "--no-cache", "-r", BackupBenchmark.resticRepo(s3, "raw"), "init"),
                    BackupBenchmark.env(s3))));
            PgBinaries pg = PgBinaries.find(Optional.empty());
            BackupBenchmark.run(List.of(BackupBenchmark.pgTool(pg, "pg_dump", endpoint, "-Fc", "-d", "big"),
                    new Pipeline.Stage(List.of("restic", "--no-cache", "-r", BackupBenchmark.resticRepo(s3, "raw"), "backup", "--stdin",
                            "--stdin-filename", "big.dump", "--quiet"), BackupBenchmark.env(s3))));
            DrillServers servers = fixture.driver().drills().orElseThrow();

            List<Long> drills = new ArrayList<>();
            List<Long> raws = new ArrayList<>();
            List<Double> restoreSeconds = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                int n = round;
                long raw = BackupBenchmark.timed(() -> byHand(servers, pg, s3, "raw-" + n));
                long[] seconds = new long[1];
                long drill = BackupBenchmark.timed(() -> {
                    String id = fixture.publisher.publish(CommandType.VERIFY, source, new VerifyCommand(source.name(), source.namespace(), null));
                    BackupBenchmark.expect(fixture, id);
                    seconds[0] = Math.round(((Number) fixture.feed.forCommand(id).stream().filter(e -> e.phase().isFinal()).findFirst()
                            .orElseThrow().details().get("restoreSeconds")).doubleValue() * 1000);
                });
                System.out.printf("round %d: drill %d ms (its restore %d ms), by hand %d ms%n", round, drill, seconds[0], raw);
                drills.add(drill);
                raws.add(raw);
                restoreSeconds.add(seconds[0] / 1000.0);
            }
            System.out.println();
            System.out.printf("%d MiB database, medians of %d rounds (ms, range)   drill                by hand              ratio%n",
                    bytes >> 20, rounds);
            System.out.printf("%-8s %22s %22s   %.2fx (goal <= 1.2x)%n", "verify", Medians.withRange(drills), Medians.withRange(raws),
                    (double) Medians.of(drills) / Medians.of(raws));
            System.out.println("(drill: from publishing verify to its SUCCEEDED event; it also restores the roles and the 'postgres' "
                    + "database and checks each file's SHA-256; by hand: an empty server made and started, restic dump | pg_restore, "
                    + "count(*) of each table, pg_amcheck --all, the server removed)");
        }
        System.exit(0);
    }

    /** The drill by hand: an empty server, the raw dump restored into it, each table counted, pg_amcheck, the server removed. */
    private static void byHand(DrillServers servers, PgBinaries pg, S3Server s3, String id) {
        Endpoint scratch = servers.start(null, id).scratch().superuser();
        try {
            BackupBenchmark.run(List.of(
                    new Pipeline.Stage(List.of("restic", "--no-cache", "-r", BackupBenchmark.resticRepo(s3, "raw"), "dump", "latest", "/big.dump"),
                            BackupBenchmark.env(s3)),
                    BackupBenchmark.pgTool(pg, "pg_restore", scratch, "--create", "--exit-on-error", "-d", "postgres")));
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + scratch.port() + "/big?sslmode=disable",
                    scratch.user(), scratch.password()); Statement sql = c.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT count(*) FROM public.events")) {
                rows.next();
            }
            Pipeline.Result amcheck = Pipeline.run(List.of(BackupBenchmark.pgTool(pg, "pg_amcheck", scratch, "--all", "--install-missing",
                    "--no-password")), null, java.time.Duration.ofMinutes(30));
            if (!amcheck.ok() || !amcheck.output().isBlank()) {
                throw new IllegalStateException("pg_amcheck: " + amcheck.output() + " " + amcheck.errors());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            servers.remove(null, id);
        }
    }
}
