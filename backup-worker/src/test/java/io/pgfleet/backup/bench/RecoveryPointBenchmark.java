package io.pgfleet.backup.bench;

import io.pgfleet.backup.wal.PgBackRest;
import io.pgfleet.backup.wal.PgBackRestConfig;
import io.pgfleet.clusters.ArchiveLayout;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.local.LocalClusterDriver;
import io.pgfleet.clusters.local.LocalSettings;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.FileTrees;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.servers.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Benchmark, not a test: the recovery point under {@code pgbench} load. A local instance archives its WAL with pgBackRest
 * (as the provisioner and the backup-worker set it up, archive delay 60 s) to the S3 server over TLS while {@code pgbench}
 * (TPC-B, 4 clients) runs; every second the benchmark reads {@code pg_stat_archiver} and records how long ago the last
 * segment was archived. The newest restorable point is the end of that segment, at most that long ago plus the time the
 * segment took to fill. Prints the ages' median, 95th percentile and maximum, segments archived, and pgbench's tps. Run
 * with {@code bench/recovery-point.sh [seconds, default 120]}.
 */
public final class RecoveryPointBenchmark {

    private static final InstanceKey KEY = new InstanceKey("bench", "load");

    private RecoveryPointBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 120;
        Path root = Files.createTempDirectory("pgfleet-recovery-point-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        PgBinaries binaries = PgBinaries.find(Optional.empty());
        LocalClusterDriver driver = new LocalClusterDriver(new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), binaries,
                Duration.ofSeconds(60)));
        try (S3Server s3 = S3Server.start()) {
            Files.createDirectories(s3.directory().resolve("bench"));
            ClusterSpec spec = new ClusterSpec(false, "10Gi", 1, "local", Map.of("max_wal_size", "2GB"), 0, 0, true, null);
            while (driver.apply(KEY, spec).outcome() != Step.Outcome.DONE) {
                // each call is one bounded step
            }
            ArchiveLayout layout = driver.archiveLayout(KEY).orElseThrow();
            Endpoint primary = driver.primary(KEY).orElseThrow();
            PgBackRestConfig config = new PgBackRestConfig(layout.stanza(), s3.secureEndpoint(), "bench", "us-east-1",
                    PgBackRestConfig.repoPath("", KEY), s3.caCertificate(), List.of(layout.primary()), layout.workDir(), Duration.ofSeconds(120));
            PgBackRest repository = new PgBackRest("pgbackrest", layout.account(), layout.configFile(), layout.stanza(), Duration.ofMinutes(30));
            repository.configure(config, config.render(s3.accessKey(), s3.secretKey(), "bench-cipher-password"));
            repository.stanzaCreate(primary.password());
            Map<String, String> env = Map.of("PGPASSWORD", primary.password());
            List<String> connection = List.of("-h", "127.0.0.1", "-p", Integer.toString(primary.port()), "-U", primary.user());
            List<String> init = new ArrayList<>(List.of(binaries.tool("pgbench"), "-i", "-q", "-s", "20"));
            init.addAll(connection);
            init.add("postgres");
            ProcessRunner.check(init, env, root, Duration.ofMinutes(10));
            repository.backup("full", primary.password());

            List<String> load = new ArrayList<>(List.of(binaries.tool("pgbench"), "-c", "4", "-j", "2", "-T", Integer.toString(seconds)));
            load.addAll(connection);
            load.add("postgres");
            ProcessBuilder builder = new ProcessBuilder(load).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process pgbench = builder.start();
            List<Double> ages = new ArrayList<>();
            long firstArchived = -1;
            long lastArchived = -1;
            try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
                 Statement sql = c.createStatement()) {
                while (pgbench.isAlive()) {
                    try (ResultSet row = sql.executeQuery("SELECT extract(epoch FROM clock_timestamp() - last_archived_time), archived_count "
                            + "FROM pg_stat_archiver")) {
                        row.next();
                        ages.add(row.getDouble(1));
                        lastArchived = row.getLong(2);
                        firstArchived = firstArchived < 0 ? lastArchived : firstArchived;
                    }
                    pgbench.waitFor(1, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
            String output = new String(pgbench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String tps = output.lines().filter(l -> l.startsWith("tps")).findFirst().orElse("tps: ?");
            Collections.sort(ages);
            long segments = lastArchived - firstArchived;
            System.out.printf("pgbench %d s, 4 clients: %s%n", seconds, tps);
            System.out.printf("segments archived during the load: %d (one every %.1f s)%n", segments, segments == 0 ? 0.0 : (double) seconds / segments);
            System.out.printf("age of the last archived segment, sampled every second: median %.1f s, p95 %.1f s, max %.1f s (goal <= 60 s)%n",
                    ages.get(ages.size() / 2), ages.get((int) Math.floor(ages.size() * 0.95)), ages.get(ages.size() - 1));
        } finally {
            driver.delete(KEY);
            FileTrees.delete(root);
        }
    }
}
