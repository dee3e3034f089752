package io.pgfleet.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.clusters.ArchiveLayout;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.Observation;
import io.pgfleet.clusters.local.LocalClusterDriver;
import io.pgfleet.clusters.local.LocalSettings;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.servers.Ports;
import io.pgfleet.servers.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A local instance archiving its WAL with pgBackRest (the members' {@code archive_command} as the provisioner sets it,
 * the configuration as the backup-worker writes it) to the S3 server over TLS: under a steady write load no segment waits
 * longer than the archive delay; through an outage of that server the
 * archive falls behind and the driver's observation says so (what makes the instance {@code DEGRADED}); once S3 answers
 * again it catches up by itself, and {@code pgbackrest check} and {@code verify} (the CLI) find no WAL missing.
 */
class ArchiveOutageIT {

    private static final InstanceKey SHOP = new InstanceKey("tenant-a", "outage");

    @Test
    void anS3OutageMakesTheArchiveFallBehindAndItCatchesUpWithNoWalMissing() throws Exception {
        Path root = Files.createTempDirectory("pgfleet-archive-outage-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        Path s3dir = Files.createTempDirectory("pgfleet-archive-outage-s3-");
        // pgBackRest runs as the PostgreSQL account and reads the S3 server's CA certificate from beside its data.
        Files.setPosixFilePermissions(s3dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = Ports.free();
        int tlsPort = Ports.free();
        LocalClusterDriver driver = new LocalClusterDriver(new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"),
                PgBinaries.find(Optional.empty()), Duration.ofSeconds(60)).archiveDelay(Duration.ofSeconds(5)));
        S3Server s3 = S3Server.startOpen(s3dir.resolve("data"), port, tlsPort);
        try {
            Files.createDirectories(s3.directory().resolve("backups"));
            ClusterSpec spec = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0, true, null);
            await().atMost(Duration.ofMinutes(3)).until(() -> driver.apply(SHOP, spec).outcome() == Step.Outcome.DONE);
            ArchiveLayout layout = driver.archiveLayout(SHOP).orElseThrow();
            Endpoint primary = driver.primary(SHOP).orElseThrow();
            PgBackRestConfig config = new PgBackRestConfig(layout.stanza(), s3.secureEndpoint(), "backups", "us-east-1",
                    PgBackRestConfig.repoPath("", SHOP), s3.caCertificate(), List.of(layout.primary()), layout.workDir(), Duration.ofSeconds(60));
            PgBackRest repository = new PgBackRest("pgbackrest", layout.account(), layout.configFile(), layout.stanza(), Duration.ofMinutes(5));
            repository.configure(config, config.render("any", "any", "cipher-" + System.nanoTime()));
            // A segment pushed before the stanza exists fails at once; after three failures the archiver sleeps 60 s.
            // A base backup sees that segment (it would wait on it) and wakes the archiver, which pushes it at once.
            writeAndSwitch(primary);
            await().atMost(Duration.ofSeconds(30)).until(() -> failures(primary) >= 3);
            assertThat(WalArchive.failingSegment(primary)).hasValueSatisfying(segment -> assertThat(segment).matches("[0-9A-F]{24}"));
            repository.stanzaCreate(primary.password());
            WalArchive.wakeArchiver(primary);
            await().atMost(Duration.ofSeconds(20)).until(() -> WalArchive.failingSegment(primary).isEmpty());
            writeAndSwitch(primary);
            await().atMost(Duration.ofMinutes(1)).until(() -> driver.observe(SHOP).archive() != null
                    && driver.observe(SHOP).archive().lastArchivedWal() != null && driver.observe(SHOP).archive().waiting() == 0);
            assertThat(driver.observe(SHOP).archiveProblem()).isNull();

            // Under a steady write load (archive_timeout = the delay switches segments), no segment waits longer than the delay.
            java.util.List<String> problems = new java.util.ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + primary.port() + "/postgres?sslmode=disable",
                    primary.user(), primary.password()); Statement sql = c.createStatement()) {
                while (System.nanoTime() < until) {
                    sql.execute("INSERT INTO t DEFAULT VALUES");
                    Optional.ofNullable(driver.observe(SHOP).archiveProblem()).ifPresent(problems::add);
                }
            }
            assertThat(problems).isEmpty();
            assertThat(driver.observe(SHOP).archive().lastArchivedAt()).isNotNull();

            s3.close();
            for (int i = 0; i < 3; i++) {
                writeAndSwitch(primary);
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> driver.observe(SHOP).archiveProblem() != null);
            Observation behind = driver.observe(SHOP);
            assertThat(behind.ready()).as("every member still runs").isTrue();
            assertThat(behind.archiveProblem()).contains("WAL archiving is behind", "limit 5s");
            assertThat(behind.message()).contains("WAL archiving is behind");

            s3 = S3Server.startOpen(s3dir.resolve("data"), port, tlsPort);
            await().atMost(Duration.ofMinutes(2)).until(() -> driver.observe(SHOP).archiveProblem() == null
                    && driver.observe(SHOP).archive().waiting() == 0);
            assertThat(WalArchive.failingSegment(primary)).isEmpty();
            repository.check(primary.password());
            CommandResult verify = ProcessRunner.run(layout.account().command(List.of("pgbackrest", "--config=" + layout.configFile(),
                    "--stanza=" + layout.stanza(), "verify")), Map.of(), Path.of("/"), Duration.ofMinutes(2));
            assertThat(verify.ok()).as(verify.output()).isTrue();
            assertThat(repository.info().walMax()).isGreaterThanOrEqualTo(behind.archive().lastFailedWal() == null
                    ? behind.archive().lastArchivedWal() : behind.archive().lastFailedWal());
        } finally {
            driver.delete(SHOP);
            s3.close();
            io.pgfleet.host.FileTrees.delete(root);
            io.pgfleet.host.FileTrees.delete(s3dir);
        }
    }

    private static long failures(Endpoint primary) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + primary.port() + "/postgres?sslmode=disable",
                primary.user(), primary.password()); Statement sql = c.createStatement();
             java.sql.ResultSet row = sql.executeQuery("SELECT failed_count FROM pg_stat_archiver")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static void writeAndSwitch(Endpoint primary) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + primary.port() + "/postgres?sslmode=disable",
                primary.user(), primary.password()); Statement sql = c.createStatement()) {
            sql.execute("CREATE TABLE IF NOT EXISTS t (id serial, at timestamptz DEFAULT now())");
            sql.execute("INSERT INTO t DEFAULT VALUES");
            sql.execute("SELECT pg_switch_wal()");
        }
    }
}
