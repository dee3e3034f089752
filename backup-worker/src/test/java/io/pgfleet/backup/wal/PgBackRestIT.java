package io.pgfleet.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.ProcessRunner;
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
        Path work = workDir("pgfleet-pgbackrest-");
        PgBackRest repository = repository(work);
        try (S3Server s3 = S3Server.start(); PostgresServer pg = archivingTo(repository)) {
            stage(repository, work, s3, pg);
            // Until the stanza exists the members' configuration is not in place: their pushes fail at once, no
            // pgBackRest runs against a repository without a stanza.
            assertThat(work.resolve("pgbackrest.conf")).doesNotExist();
            assertThat(work.resolve("pgbackrest.conf.staged")).exists();
            try (Connection c = pg.connect("postgres"); Statement sql = c.createStatement()) {
                sql.execute("CREATE TABLE before_the_stanza (id int)");
                sql.execute("SELECT pg_switch_wal()");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Integer.parseInt(query(pg, "SELECT failed_count FROM pg_stat_archiver")) > 0);
            assertThat(repository.info().status()).startsWith("missing stanza");

            repository.stanzaCreate(pg.password());
            repository.stanzaCreate(pg.password());   // again: nothing changes
            // Only now do the members push: a stanza-create holds the stanza's archive lock, and an asynchronous push
            // that starts meanwhile gives up on it while its archive-push waits the whole archive timeout for it.
            assertThat(repository.publish()).isTrue();
            assertThat(work.resolve("pgbackrest.conf.staged")).doesNotExist();
            assertThat(Files.getPosixFilePermissions(work.resolve("pgbackrest.conf"))).containsExactlyInAnyOrder(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            stage(repository, work, s3, pg);   // again, as every step does: written in place now
            assertThat(work.resolve("pgbackrest.conf.staged")).doesNotExist();
            query(pg, "SELECT pg_reload_conf()");   // the archiver, sleeping after its failures, pushes again
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

    @Test
    void retentionKeepsTheBaseBackupTheWindowStartsFromAndExpiresEverythingOlder() throws Exception {
        Path work = workDir("pgfleet-pgbackrest-retention-");
        PgBackRest repository = repository(work);
        try (S3Server s3 = S3Server.start(); PostgresServer pg = archivingTo(repository)) {
            configure(repository, work, s3, pg);
            repository.stanzaCreate(pg.password());
            // Three base backups, rows before each: batch 1 before B1, 2 before B2, 3 (a while after B2 ended) before B3.
            List<ArchiveInfo.BaseBackup> taken = new java.util.ArrayList<>();
            try (Connection c = pg.connect("postgres"); Statement sql = c.createStatement()) {
                sql.execute("CREATE TABLE orders (batch int)");
                for (int batch = 1; batch <= 3; batch++) {
                    if (batch == 3) {
                        Instant b2 = taken.get(1).stop();
                        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(b2.plusSeconds(2)));
                    }
                    sql.execute("INSERT INTO orders SELECT " + batch + " FROM generate_series(1, 10)");
                    repository.backup("full", pg.password());
                    taken.add(repository.info().latest().orElseThrow());
                }
                sql.execute("INSERT INTO orders SELECT 4 FROM generate_series(1, 10)");
            }
            ArchiveInfo.BaseBackup b1 = taken.get(0);
            ArchiveInfo.BaseBackup b2 = taken.get(1);
            ArchiveInfo.BaseBackup b3 = taken.get(2);
            assertThat(b3.stop()).isAfter(b2.stop().plusSeconds(1));

            // A day's window, a day and a second after B2 ended: its oldest time needs B2; B1 is no longer needed.
            WalRetention retention = new WalRetention(Duration.ofDays(1));
            Instant now = b2.stop().plus(Duration.ofDays(1)).plusSeconds(1);
            Instant oldest = retention.keepsFrom(now);
            List<ArchiveInfo.BaseBackup> expired = retention.expired(repository.info().backups(), now);
            assertThat(expired).extracting(ArchiveInfo.BaseBackup::label).containsExactly(b1.label());
            repository.expire(expired);
            repository.expire(expired);   // again, as a retried step would: nothing more goes
            assertThat(retention.expired(repository.info().backups(), now)).isEmpty();

            // pgBackRest's own CLI: B2 and B3 remain, and no WAL older than B2's first segment.
            String info = ProcessRunner.check(account.command(List.of("pgbackrest", "--config=" + work.resolve("pgbackrest.conf"),
                    "--stanza=" + PgBackRestConfig.stanza(SHOP), "info", "--output=json")), Map.of(), Path.of("/"), Duration.ofMinutes(1)).output();
            ArchiveInfo kept = ArchiveInfo.parse(info.substring(info.indexOf('[')));
            assertThat(kept.backups()).extracting(ArchiveInfo.BaseBackup::label).containsExactly(b2.label(), b3.label());
            assertThat(kept.walMin()).isGreaterThanOrEqualTo(b2.walStart()).isGreaterThan(b1.walStop());
            assertThat(RecoveryWindow.of(kept, Instant.now()).orElseThrow().refuse(b1.stop().plusSeconds(1))).isPresent();

            // The window's oldest time restores: batches 1 and 2, not 3.
            assertThat(oldest).isAfter(b2.stop()).isBefore(b3.start());
            Path copy = work.resolve("copy");
            Files.createDirectories(copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));
            account.own(copy);
            repository.restoreToTime(oldest, copy, "promote");
            int port = io.pgfleet.servers.Ports.free();
            ProcessRunner.check(account.command(List.of(pg.binaries().tool("pg_ctl"), "-D", copy.toString(), "-l", work.resolve("copy.log").toString(),
                    "-o", "-c port=" + port + " -c archive_mode=off -c unix_socket_directories=" + work, "-w", "start")),
                    Map.of(), Path.of("/"), Duration.ofMinutes(2));
            try {
                String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?sslmode=disable";
                await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> query(url, pg.password(), "SELECT NOT pg_is_in_recovery()").equals("t"));
                assertThat(query(url, pg.password(), "SELECT string_agg(batch || 'x' || n, ',' ORDER BY batch) FROM "
                        + "(SELECT batch, count(*) n FROM orders GROUP BY batch) b")).isEqualTo("1x10,2x10");
            } finally {
                ProcessRunner.run(account.command(List.of(pg.binaries().tool("pg_ctl"), "-D", copy.toString(), "-m", "immediate", "-w", "stop")),
                        Map.of(), Path.of("/"), Duration.ofMinutes(1));
            }
        } finally {
            ProcessRunner.run(List.of("rm", "-rf", work.toString()), Map.of(), Path.of("/"), Duration.ofMinutes(1));
        }
    }

    private static final OsUser account = OsUser.forPostgres("nobody");

    private static Path workDir(String prefix) throws Exception {
        Path work = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        return work;
    }

    private static PgBackRest repository(Path work) {
        return new PgBackRest("pgbackrest", account, work.resolve("pgbackrest.conf"), PgBackRestConfig.stanza(SHOP), Duration.ofMinutes(5));
    }

    /** A PostgreSQL server whose WAL goes to the repository. */
    private static PostgresServer archivingTo(PgBackRest repository) {
        return PostgresServer.start(Map.of("wal_level", "replica", "archive_mode", "on", "archive_command", repository.archiveCommand()));
    }

    /** The repository in the S3 server's bucket {@code backups}, encrypted with a password of its own, for this server. */
    private static void stage(PgBackRest repository, Path work, S3Server s3, PostgresServer pg) throws Exception {
        Files.createDirectories(s3.directory().resolve("backups"));
        repository.stage(config(work, s3, pg), config(work, s3, pg).render(s3.accessKey(), s3.secretKey(), CIPHER));
    }

    private static final String CIPHER = "cipher-" + System.nanoTime();

    private static PgBackRestConfig config(Path work, S3Server s3, PostgresServer pg) {
        return new PgBackRestConfig(PgBackRestConfig.stanza(SHOP), s3.secureEndpoint(), "backups", "us-east-1",
                PgBackRestConfig.repoPath("postgres", SHOP), s3.caCertificate(),
                List.of(new io.pgfleet.clusters.ArchiveLayout.MemberPaths("shop-1", pg.directory().resolve("data"), pg.port(),
                        pg.directory(), true, true)), work, Duration.ofSeconds(60));
    }

    /** The same, written in place at once. */
    private static void configure(PgBackRest repository, Path work, S3Server s3, PostgresServer pg) throws Exception {
        Files.createDirectories(s3.directory().resolve("backups"));
        repository.configure(config(work, s3, pg), config(work, s3, pg).render(s3.accessKey(), s3.secretKey(), CIPHER));
    }

    private static String query(String url, String password, String sql) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url, PostgresServer.SUPERUSER, password);
             Statement statement = c.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    private static String query(PostgresServer pg, String sql) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement statement = c.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
