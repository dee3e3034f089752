package io.pgfleet.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.local.OsUser;
import io.pgfleet.runtime.local.ProcessRunner;
import io.pgfleet.servers.PostgresServer;
import io.pgfleet.servers.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pgBackRest adapter against a real PostgreSQL archiving its WAL with {@code pgbackrest archive-push} to a real S3
 * server over TLS: stanza, base backup, {@code info}, and a restore to a time between two changes.
 */
class PgBackRestIT {

    private static final InstanceKey SHOP = new InstanceKey("tenant-a", "shop");

    @Test
    void walIsArchivedEncryptedAndARestoreToATimeBringsBackExactlyWhatWasCommittedBeforeIt() throws Exception {
        Path work = Files.createTempDirectory("pgfleet-pgbackrest-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        OsUser account = OsUser.forPostgres("nobody");
        PgBackRest repository = new PgBackRest("pgbackrest", account, work.resolve("pgbackrest.conf"), PgBackRestConfig.stanza(SHOP),
                Duration.ofMinutes(5));
        try (S3Server s3 = S3Server.start();
             PostgresServer pg = PostgresServer.start(Map.of("wal_level", "replica", "archive_mode", "on", "archive_command",
                     repository.archiveCommand()))) {
            Files.createDirectories(s3.directory().resolve("backups"));
            PgBackRestConfig config = new PgBackRestConfig(PgBackRestConfig.stanza(SHOP), s3.secureEndpoint(), "backups", "us-east-1",
                    PgBackRestConfig.repoPath("postgres", SHOP), s3.caCertificate(),
                    java.util.List.of(new io.pgfleet.clusters.ArchiveLayout.MemberPaths("shop-1", pg.directory().resolve("data"), pg.port(),
                            pg.directory(), true, true)), work, Duration.ofSeconds(60), 7);
            String cipher = "cipher-" + System.nanoTime();
            repository.configure(config, config.render(s3.accessKey(), s3.secretKey(), cipher));
            assertThat(Files.getPosixFilePermissions(work.resolve("pgbackrest.conf"))).containsExactlyInAnyOrder(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

            repository.stanzaCreate(pg.password());
            repository.stanzaCreate(pg.password());   // again: nothing changes
            repository.check(pg.password());
            repository.backup("full", pg.password());
            ArchiveInfo afterBackup = repository.info();
            assertThat(afterBackup.status()).isEqualTo("ok");
            assertThat(afterBackup.backups()).hasSize(1);
            assertThat(afterBackup.earliest()).isPresent();
            // The window starts when the base backup ended (pgBackRest keeps that time to the second): the changes come after it.
            Instant earliest = afterBackup.earliest().orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(earliest.plusSeconds(1)));

            // Rows at t1, t2, t3 with WAL switches between; the table dropped at t4.
            try (Connection c = pg.connect("postgres"); Statement sql = c.createStatement()) {
                sql.execute("CREATE TABLE orders (id int)");
                for (int t = 1; t <= 3; t++) {
                    sql.execute("INSERT INTO orders SELECT g FROM generate_series(" + (t * 100) + ", " + (t * 100 + 9) + ") g");
                    sql.execute("SELECT pg_switch_wal()");
                }
            }
            Instant between = Instant.now();
            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(between.plusMillis(50)));
            try (Connection c = pg.connect("postgres"); Statement sql = c.createStatement()) {
                sql.execute("DROP TABLE orders");
            }
            String dropped = query(pg, "SELECT pg_walfile_name(pg_current_wal_lsn())");
            query(pg, "SELECT pg_switch_wal()");
            // Archived: the segment holding the drop reached the repository.
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                String max = repository.info().walMax();
                return max != null && dropped.compareTo(max) <= 0;
            });

            // Nothing in the bucket reads in clear: pgBackRest encrypted it with the instance's password.
            try (Stream<Path> files = Files.walk(s3.directory().resolve("backups"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
                            .doesNotContain("orders", "pg_control", "PG_VERSION", "[db]");
                }
            }

            Path data = pg.directory().resolve("data");
            ProcessRunner.check(account.command(List.of(pg.binaries().tool("pg_ctl"), "-D", data.toString(), "-m", "fast", "-w", "stop")),
                    Map.of(), Path.of("/"), Duration.ofMinutes(1));
            repository.restoreToTime(between);
            ProcessRunner.check(account.command(List.of(pg.binaries().tool("pg_ctl"), "-D", data.toString(), "-l",
                    pg.directory().resolve("restored.log").toString(), "-w", "start")), Map.of(), Path.of("/"), Duration.ofMinutes(2));
            try {
                await().atMost(Duration.ofMinutes(1)).until(() -> query(pg, "SELECT NOT pg_is_in_recovery()").equals("t"));
                assertThat(query(pg, "SELECT string_agg(id::text, ',' ORDER BY id) FROM orders"))
                        .isEqualTo("100,101,102,103,104,105,106,107,108,109,200,201,202,203,204,205,206,207,208,209,300,301,302,303,304,305,306,307,308,309");
                assertThat(query(pg, "SELECT timeline_id FROM pg_control_checkpoint()")).isNotEqualTo("1");
            } finally {
                ProcessRunner.run(account.command(List.of(pg.binaries().tool("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop")),
                        Map.of(), Path.of("/"), Duration.ofMinutes(1));
            }
        } finally {
            ProcessRunner.run(List.of("rm", "-rf", work.toString()), Map.of(), Path.of("/"), Duration.ofMinutes(1));
        }
    }

    private static String query(PostgresServer pg, String sql) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement statement = c.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
