package io.pgfleet.backup;

import static io.pgfleet.testkit.Sql.count;
import static io.pgfleet.testkit.Sql.exec;
import static io.pgfleet.testkit.Sql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.backup.plan.Manifest;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.VerifyCommand;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.servers.S3Server;
import io.pgfleet.testkit.LogCapture;
import io.pgfleet.testkit.Restic;
import io.pgfleet.testkit.ServiceFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Restore drills ({@code verify}) on the local driver, with a real instance, real restic on a real S3 server and real
 * PostgreSQL scratch servers: a backup restored and checked without the tenant's instance noticing, a repository altered
 * with the restic CLI failing the drill by name, and nothing of a drill left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreDrillIT {

    private static final Duration SLOW = Duration.ofMinutes(3);
    private static final InstanceKey SHOP = new InstanceKey("tenant-d", "shop");
    private static final String PASSWORD = "drill-restic-password";
    /** One member that archives its WAL (its backups come with point-in-time recovery, as with the provisioner). */
    private static final ClusterSpec ONE = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0, true, null);

    private ServiceFixture fixture;
    private S3Server s3;
    private EmbeddedServer worker;
    @BeforeAll
    void start() throws Exception {
        LogCapture.text();
        Restic.requireInstalled();
        fixture = new ServiceFixture("backup-worker");
        s3 = S3Server.start();
        Path workDir = Files.createTempDirectory("pgfleet-drill-work-");
        // pgBackRest (point-in-time drills) reaches S3 over TLS, as the instances' and the drills' accounts: the CA where they read it.
        Path ca = Files.createTempDirectory("pgfleet-drill-ca-");
        Files.setPosixFilePermissions(ca, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(s3.caCertificate(), ca.resolve("ca.crt"));
        Files.setPosixFilePermissions(ca.resolve("ca.crt"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        worker = fixture.start(Map.of("pgfleet.backup.tick", "200ms", "pgfleet.backup.work-dir", workDir.toString(),
                "pgfleet.backup.small-database", "1MB", "pgfleet.backup.metrics-interval", "1s",
                // swept by the test itself: a periodic sweep could remove the stray server it makes while initdb runs
                "pgfleet.backup.drill-sweep", "24h",
                "pgfleet.backup.allowed-endpoints", java.net.URI.create(s3.endpoint()).getAuthority(),
                "pgfleet.backup.wal-s3-endpoint-override", s3.secureEndpoint(), "pgfleet.backup.s3-ca-file", ca.resolve("ca.crt").toString()));
        fixture.track(SHOP);
        await().atMost(SLOW).until(() -> fixture.driver().apply(SHOP, ONE).outcome() == Step.Outcome.DONE);
        try (Connection c = superuser("postgres")) {
            exec(c, "CREATE ROLE shop_owner LOGIN PASSWORD 'owner-pass'");
            exec(c, "CREATE DATABASE sales OWNER shop_owner");
        }
        try (Connection c = login("sales", "shop_owner", "owner-pass")) {
            exec(c, "CREATE SCHEMA \"Odd Schema\"");
            exec(c, "CREATE TABLE orders (id int PRIMARY KEY, item text)");
            exec(c, "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 5000) g");
            exec(c, "CREATE TABLE \"Odd Schema\".\"Line Items\" (order_id int REFERENCES orders, qty int)");
            exec(c, "INSERT INTO \"Odd Schema\".\"Line Items\" SELECT g % 5000 + 1, g FROM generate_series(1, 20000) g");
            exec(c, "CREATE INDEX ON \"Odd Schema\".\"Line Items\" (qty)");
            exec(c, "CREATE TABLE empty_one (x int)");
        }
        assertThat(provision(null).phase()).isEqualTo(Phase.SUCCEEDED);
    }

    private StatusEvent provision(String verifySchedule) {
        return provision(SHOP, verifySchedule);
    }

    private StatusEvent provision(InstanceKey key, String verifySchedule) {
        Postgres doc = Postgres.of(key.name(), key.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                new Backup(true, "us-east-1", s3.endpoint() + "/drills", "0 3 * * *", "--keep-last=5", s3.accessKey(), s3.secretKey(), PASSWORD,
                        verifySchedule), null));
        return fixture.feed.awaitFinal(fixture.publisher.publish(CommandType.PROVISION, key, doc), "backup-worker", SLOW);
    }

    @AfterAll
    void stop() {
        fixture.close();
        s3.close();
    }

    @Test
    @Order(1)
    void aDrillRestoresTheBackupIntoAScratchServerFindsEveryRowAndTheTenantsInstanceNeverNotices() throws Exception {
        StatusEvent backedUp = backupNow();
        String backupId = (String) backedUp.details().get("backupId");
        // The manifest records each table's rows, counted in the snapshot the dump was taken from.
        JsonNode manifest = Json.mapper().readTree(catalogManifest(backupId));
        JsonNode rows = manifest.get("files").get(Manifest.dumpFile("sales")).get("rows");
        assertThat(rows.get("public.orders").asLong()).isEqualTo(5000);
        assertThat(rows.get("\"Odd Schema\".\"Line Items\"").asLong()).isEqualTo(20000);
        assertThat(rows.get("public.empty_one").asLong()).isZero();

        try (Connection tenant = login("sales", "shop_owner", "owner-pass")) {
            // The instance moves on after the backup: the drill compares with the backup, not with the instance.
            exec(tenant, "INSERT INTO orders VALUES (5001, 'after the backup')");
            int backend = count(tenant, "SELECT pg_backend_pid()");
            String timeline = timeline();
            List<String> databases = databases();

            String id = fixture.publisher.publish(CommandType.VERIFY, SHOP, new VerifyCommand(SHOP.name(), SHOP.namespace(), backupId));
            StatusEvent done = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
            assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
            assertThat(done.reason()).isEqualTo("BackupVerified");
            assertThat(done.details()).containsEntry("backupId", backupId).containsEntry("tablesChecked", 3)
                    .containsEntry("differences", List.of()).containsEntry("amcheckFindings", List.of());
            assertThat(done.details().get("databases")).asList().containsExactly("postgres", "sales");
            assertThat(((Number) done.details().get("restoreSeconds")).doubleValue()).isPositive();
            assertThat(done.message()).contains("restored in").contains("pg_amcheck found no corruption");
            assertThat(fixture.feed.forCommand(id)).extracting(StatusEvent::step).contains("scratch", "check");

            // The tenant's instance: the same session, its rows, its databases, its timeline.
            assertThat(count(tenant, "SELECT pg_backend_pid()")).isEqualTo(backend);
            assertThat(count(tenant, "SELECT count(*) FROM orders")).isEqualTo(5001);
            assertThat(databases()).isEqualTo(databases);
            assertThat(timeline()).isEqualTo(timeline);
        }
        assertThat(scratchServers()).as("the scratch server is gone").isEmpty();
        try (Connection state = fixture.state.connect("postgres"); Statement sql = state.createStatement();
             ResultSet row = sql.executeQuery("SELECT status, backup_id, restore_ms, tables FROM backup_worker.backup_drill")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("SUCCEEDED");
            assertThat(row.getString(2)).isEqualTo(backupId);
            assertThat(row.getLong(3)).isPositive();
            assertThat(row.getInt(4)).isEqualTo(3);
        }
        MeterRegistry registry = worker.getApplicationContext().getBean(MeterRegistry.class);
        Gauge verified = registry.find("pgfleet.backup.last.verified.timestamp").tag("pgfleet_instance", SHOP.toString()).gauge();
        assertThat(verified).isNotNull();
        assertThat(verified.value()).isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(120.0));
        assertThat(registry.find("pgfleet.backup.last.restore").tag("pgfleet_instance", SHOP.toString()).gauge().value()).isPositive();

        // Asked for nothing in particular, with the WAL archived: the newest restorable time (as of the asking), not a backup.
        java.time.Instant asked = java.time.Instant.now();
        String latest = fixture.publisher.publish(CommandType.VERIFY, SHOP, new VerifyCommand(SHOP.name(), SHOP.namespace(), null));
        StatusEvent newest = fixture.feed.awaitFinal(latest, "backup-worker", SLOW);
        assertThat(newest.phase()).as(String.valueOf(fixture.feed.forCommand(latest))).isEqualTo(Phase.SUCCEEDED);
        assertThat(newest.details()).doesNotContainKey("backupId").containsEntry("differences", List.of()).containsEntry("amcheckFindings", List.of());
        java.time.Instant at = java.time.Instant.parse((String) newest.details().get("pointInTime"));
        assertThat(at).isAfter(asked.minusSeconds(5)).isBefore(java.time.Instant.now());
        assertThat(newest.details().get("databases")).asList().contains("postgres", "sales");
        assertThat(scratchServers()).isEmpty();
    }

    @Test
    @Order(3)
    void aBackupWhoseDumpWasTakenOutOfTheRepositoryWithTheResticCliFailsItsDrillByName() throws Exception {
        StatusEvent backedUp = backupNow();
        String backupId = (String) backedUp.details().get("backupId");
        @SuppressWarnings("unchecked")
        String snapshot = ((Map<String, String>) backedUp.details().get("snapshots")).get(Manifest.dumpFile("sales"));
        // What a tenant who knows the repository's password can do: forget the snapshot holding the dump, and prune.
        Restic restic = Restic.onS3(s3, "drills/tenant-d/shop", PASSWORD);
        restic.run(null, "forget", snapshot);
        restic.run(null, "prune");

        String id = fixture.publisher.publish(CommandType.VERIFY, SHOP, new VerifyCommand(SHOP.name(), SHOP.namespace(), backupId));
        StatusEvent failed = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(failed.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.FAILED);
        assertThat(failed.reason()).isEqualTo("VerificationFailed");
        assertThat(failed.message()).contains("restore drill of backup " + backupId + " failed").contains(Manifest.dumpFile("sales"));
        assertThat(scratchServers()).isEmpty();
        try (Connection state = fixture.state.connect("postgres"); Statement sql = state.createStatement();
             ResultSet row = sql.executeQuery("SELECT status FROM backup_worker.backup_drill WHERE backup_id = '" + backupId + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("FAILED");
        }
        try (Connection tenant = login("sales", "shop_owner", "owner-pass")) {
            assertThat(count(tenant, "SELECT count(*) FROM orders")).isEqualTo(5001);
        }
    }

    @Test
    @Order(4)
    void aVerifyOfAnInstanceWithoutBackupsIsRejectedAndOfAnUnknownBackupFails() {
        InstanceKey none = new InstanceKey("tenant-d", "no-backups");
        String id = fixture.publisher.publish(CommandType.VERIFY, none, new VerifyCommand(none.name(), none.namespace(), null));
        StatusEvent rejected = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(rejected.phase()).isEqualTo(Phase.REJECTED);
        assertThat(rejected.errors()).singleElement().satisfies(error -> assertThat(error.message()).contains("has no backup configuration"));

        String unknown = fixture.publisher.publish(CommandType.VERIFY, SHOP, new VerifyCommand(SHOP.name(), SHOP.namespace(), "20010101-000000-abcdef"));
        StatusEvent failed = fixture.feed.awaitFinal(unknown, "backup-worker", SLOW);
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(failed.message()).contains("no complete backup '20010101-000000-abcdef'");
    }

    @Test
    @Order(5)
    void aScratchServerNoDrillWillComeBackToIsRemoved() {
        // What a backup-worker killed during a drill whose job then ended leaves: a scratch server, swept away.
        fixture.driver().drills().orElseThrow().start(null, "verify-999999");
        assertThat(scratchServers()).containsExactly("verify-999999");
        worker.getApplicationContext().getBean(io.pgfleet.backup.run.DrillSweeper.class).sweep();
        assertThat(scratchServers()).isEmpty();
    }

    @Test
    @Order(2)
    void aDrillScheduleInTheDocumentFiresOnItsOwnAndItsGaugeMoves() throws Exception {
        MeterRegistry registry = worker.getApplicationContext().getBean(MeterRegistry.class);
        double before = registry.find("pgfleet.backup.last.verified.timestamp").tag("pgfleet_instance", SHOP.toString()).gauge().value();
        // Every minute: the next drill falls due at the next minute's start.
        java.time.Instant planned = java.time.Instant.now();
        assertThat(provision("* * * * *").phase()).isEqualTo(Phase.SUCCEEDED);
        await().atMost(Duration.ofSeconds(30)).until(() -> registry.find("pgfleet.backup.verify.interval")
                .tag("pgfleet_instance", SHOP.toString()).gauge() != null);
        assertThat(registry.find("pgfleet.backup.verify.interval").tag("pgfleet_instance", SHOP.toString()).gauge().value()).isEqualTo(60);

        await().atMost(SLOW).until(() -> fixture.feed.all().stream().anyMatch(r -> "DrillScheduled".equals(r.event().reason())));
        StatusEvent scheduled = fixture.feed.all().stream().map(r -> r.event()).filter(e -> "DrillScheduled".equals(e.reason())).findFirst()
                .orElseThrow();
        assertThat(scheduled.commandType()).isEqualTo("verify");
        java.time.Instant slot = java.time.Instant.parse((String) scheduled.details().get("scheduledFor"));
        assertThat(slot).isAfter(planned).isBefore(planned.plusSeconds(61));
        assertThat(slot.getEpochSecond() % 60).isZero();
        StatusEvent done = fixture.feed.awaitFinal(scheduled.commandId(), "backup-worker", SLOW);
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(done.reason()).isEqualTo("BackupVerified");
        await().atMost(Duration.ofSeconds(30)).until(() -> registry.find("pgfleet.backup.last.verified.timestamp")
                .tag("pgfleet_instance", SHOP.toString()).gauge().value() > before);
        // Each slot once; no more drills once the document drops its schedule.
        assertThat(provision(null).phase()).isEqualTo(Phase.SUCCEEDED);
        await().atMost(Duration.ofSeconds(30)).until(() -> registry.find("pgfleet.backup.verify.interval")
                .tag("pgfleet_instance", SHOP.toString()).gauge() == null);
        assertThat(fixture.feed.all().stream().map(r -> r.event()).filter(e -> "DrillScheduled".equals(e.reason()))
                .map(e -> e.details().get("scheduledFor")).toList()).doesNotHaveDuplicates();
    }

    @Test
    @Order(6)
    void aDrillOfAPointInTimeReplaysTheArchiveToItInAScratchServerAndTheInstanceGoesOn() throws Exception {
        InstanceKey ledger = fixture.track(new InstanceKey("tenant-d", "ledger"));
        await().atMost(SLOW).until(() -> fixture.driver().apply(ledger, ONE).outcome() == Step.Outcome.DONE);
        StatusEvent provisioned = provision(ledger, null);
        assertThat(provisioned.phase()).as(provisioned.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(provisioned.message()).contains("base backup");
        Endpoint primary = fixture.driver().primary(ledger).orElseThrow();
        java.time.Instant beforeFirst;
        java.time.Instant target;
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password())) {
            exec(c, "CREATE TABLE entries (id int)");
            beforeFirst = java.time.Instant.now();
            exec(c, "INSERT INTO entries VALUES (1)");
            // The time comes a second after the first insert and a second before the second (commit times are kept to the microsecond).
            java.time.Instant first = java.time.Instant.now();
            await().atMost(Duration.ofSeconds(5)).until(() -> java.time.Instant.now().isAfter(first.plusSeconds(1)));
            target = java.time.Instant.now();
            java.time.Instant at = target;
            await().atMost(Duration.ofSeconds(5)).until(() -> java.time.Instant.now().isAfter(at.plusSeconds(1)));
            exec(c, "INSERT INTO entries VALUES (2)");
            int backend = count(c, "SELECT pg_backend_pid()");

            String id = fixture.publisher.publish(CommandType.VERIFY, ledger, new VerifyCommand(ledger.name(), ledger.namespace(), null,
                    target.toString()));
            StatusEvent done = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
            assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
            assertThat(done.details()).containsEntry("pointInTime", target.toString()).containsEntry("amcheckFindings", List.of())
                    .containsEntry("differences", List.of());
            // Replay went up to the time: its last transaction is the first insert, not the base backup's, not the second.
            java.time.Instant last = java.time.Instant.parse((String) done.details().get("lastTransactionAt"));
            assertThat(last).isAfter(beforeFirst).isBefore(target);
            // The instance went on: the same session, both rows.
            assertThat(count(c, "SELECT pg_backend_pid()")).isEqualTo(backend);
            assertThat(count(c, "SELECT count(*) FROM entries")).isEqualTo(2);
        }
        assertThat(scratchServers()).isEmpty();

        // A time the archive cannot reach is refused before anything runs.
        String early = fixture.publisher.publish(CommandType.VERIFY, ledger, new VerifyCommand(ledger.name(), ledger.namespace(), null,
                "2001-01-01T00:00:00Z"));
        StatusEvent rejected = fixture.feed.awaitFinal(early, "backup-worker", SLOW);
        assertThat(rejected.phase()).isEqualTo(Phase.REJECTED);
        assertThat(rejected.errors()).singleElement().satisfies(error -> assertThat(error.path()).isEqualTo("pointInTime"));
    }

    @Test
    @Order(7)
    void noSecretReachesAnEventALogLineOrADrillsRow() throws Exception {
        List<String> texts = new java.util.ArrayList<>();
        fixture.feed.all().forEach(r -> texts.add(r.rawValue()));
        texts.add(LogCapture.text());
        try (Connection state = fixture.state.connect("postgres"); Statement sql = state.createStatement();
             ResultSet rows = sql.executeQuery("SELECT t::text FROM backup_worker.backup_drill t")) {
            while (rows.next()) {
                texts.add(rows.getString(1));
            }
        }
        String all = String.join("\n", texts);
        assertThat(all).contains("BackupVerified", "DrillScheduled");
        for (String secret : List.of(s3.accessKey(), s3.secretKey(), PASSWORD)) {
            assertThat(all).as("a secret").doesNotContain(secret);
        }
        // The superuser passwords of the instances (a point-in-time drill signs in with its instance's) stay out too.
        for (InstanceKey key : List.of(SHOP, new InstanceKey("tenant-d", "ledger"))) {
            assertThat(all).doesNotContain(fixture.driver().primary(key).orElseThrow().password());
        }
    }

    private StatusEvent backupNow() {
        String id = fixture.publisher.publish(CommandType.BACKUP, SHOP, new BackupCommand(SHOP.name(), SHOP.namespace()));
        StatusEvent done = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.SUCCEEDED);
        return done;
    }

    private List<String> scratchServers() {
        return fixture.driver().drills().orElseThrow().existing(List.of()).stream().map(io.pgfleet.clusters.DrillServers.Found::id).toList();
    }

    private String catalogManifest(String backupId) throws SQLException {
        try (Connection state = fixture.state.connect("postgres"); Statement sql = state.createStatement();
             ResultSet row = sql.executeQuery("SELECT manifest FROM backup_worker.backup_run WHERE id = '" + backupId + "'")) {
            assertThat(row.next()).isTrue();
            return row.getString(1);
        }
    }

    private String timeline() throws SQLException {
        try (Connection c = superuser("postgres")) {
            return text(c, "SELECT timeline_id::text FROM pg_control_checkpoint()");
        }
    }

    private List<String> databases() throws SQLException {
        try (Connection c = superuser("postgres"); Statement sql = c.createStatement();
             ResultSet rows = sql.executeQuery("SELECT datname FROM pg_database ORDER BY datname")) {
            List<String> names = new java.util.ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        }
    }

    private Connection superuser(String database) throws SQLException {
        Endpoint endpoint = fixture.driver().primary(SHOP).orElseThrow();
        return DriverManager.getConnection(endpoint.jdbcUrl(database), endpoint.user(), endpoint.password());
    }

    private Connection login(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(fixture.driver().primary(SHOP).orElseThrow().jdbcUrl(database), user, password);
    }
}
