package io.pgfleet.backup;

import io.pgfleet.backup.plan.Manifest;
import static io.pgfleet.testkit.Sql.count;
import static io.pgfleet.testkit.Sql.exec;
import static io.pgfleet.testkit.Sql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.testkit.LogCapture;
import io.pgfleet.testkit.MutableClock;
import io.pgfleet.testkit.Restic;
import io.pgfleet.servers.S3Server;
import io.pgfleet.testkit.ServiceFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** Backups of a real instance to a real S3 server with real restic, restores, retention, schedule and refusals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupWorkerIT {

    private static final Duration SLOW = Duration.ofMinutes(3);
    private static final InstanceKey SHOP = new InstanceKey("tenant-a", "shop");
    private static final InstanceKey COPY = new InstanceKey("tenant-a", "shop-copy");
    private static final String SALES_DUMP = Manifest.dumpFile("sales");
    private static final String STOCK_DUMP = Manifest.dumpFile("stock");
    private static final String POSTGRES_DUMP = Manifest.dumpFile("postgres");
    private static final String PASSWORD = "restic-pässword-$(id)-'q'";
    private static final ClusterSpec ONE = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0);

    private static Instant at(int days, String time) {
        return DAY.plusDays(days).atTime(java.time.LocalTime.parse(time)).toInstant(java.time.ZoneOffset.UTC);
    }

    private ServiceFixture fixture;
    private S3Server s3;
    private EmbeddedServer worker;
    private Map<String, Object> workerSettings;
    /** Days in the past (jobs fall due by the database's clock, so the test's clock stays behind it). */
    private static final java.time.LocalDate DAY = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(10);
    private final MutableClock clock = new MutableClock(at(0, "01:00:00"));
    private String bucket;
    private java.nio.file.Path workDir;
    private final List<String> secrets = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        LogCapture.text();
        Restic.requireInstalled();
        fixture = new ServiceFixture("backup-worker");
        s3 = S3Server.start();
        secrets.addAll(List.of(s3.accessKey(), s3.secretKey(), PASSWORD));
        bucket = s3.endpoint() + "/backups";
        // sales (about 20 MB) streams into its own snapshot; stock and postgres (about 7.5 MB each) are saved with the roles.
        workDir = java.nio.file.Files.createTempDirectory("pgfleet-backup-work-");
        workerSettings = Map.of("pgfleet.backup.tick", "200ms", "pgfleet.backup.small-database", "12MB",
                "pgfleet.backup.work-dir", workDir.toString(), "pgfleet.intake.max-attempts", "3",
                "pgfleet.backup.cross-namespace-restores", "tenant-a:tenant-b",
                // The test's S3 server, and a port nothing listens on (an unreachable endpoint); nothing else.
                "pgfleet.backup.allowed-endpoints", java.net.URI.create(s3.endpoint()).getAuthority() + ",127.0.0.1:1");
        worker = fixture.start(workerSettings, clock);
        for (InstanceKey key : List.of(SHOP, COPY)) {
            fixture.track(key);
            await().atMost(SLOW).until(() -> fixture.driver().apply(key, ONE).outcome() == Step.Outcome.DONE);
        }
        try (Connection c = superuser(SHOP, "postgres")) {
            exec(c, "CREATE ROLE shop_owner LOGIN PASSWORD 'owner-pass'");
            exec(c, "CREATE ROLE shop_reader LOGIN PASSWORD 'reader-pass'");
            exec(c, "CREATE DATABASE sales OWNER shop_owner");
            exec(c, "CREATE DATABASE stock OWNER shop_owner");
        }
        try (Connection c = login(SHOP, "sales", "shop_owner", "owner-pass")) {
            exec(c, "CREATE TABLE orders (id int PRIMARY KEY, item text)");
            exec(c, "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 1000) g");
            exec(c, "GRANT SELECT ON orders TO shop_reader");
            pad(c, 100_000);
        }
        try (Connection c = login(SHOP, "stock", "shop_owner", "owner-pass")) {
            exec(c, "CREATE TABLE items (id int PRIMARY KEY, qty int)");
            exec(c, "INSERT INTO items VALUES (1, 10), (2, 20)");
        }
        assertThat(provision(backup("--keep-last=3", PASSWORD)).phase()).isEqualTo(Phase.SUCCEEDED);
    }

    /** About 12 MB of rows in a table of its own. */
    private static void pad(Connection c, int rows) throws SQLException {
        exec(c, "CREATE TABLE padding AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS text FROM generate_series(1, " + rows + ") g");
    }

    @AfterAll
    void stop() {
        fixture.close();
        s3.close();
    }

    private Backup backup(String cleanup, String resticPassword) {
        return new Backup(true, "us-east-1", bucket, "0 3 * * *", cleanup, s3.accessKey(), s3.secretKey(), resticPassword, null);
    }

    private StatusEvent provision(Backup backup) {
        Postgres doc = Postgres.of(SHOP.name(), SHOP.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null, backup, null));
        String id = fixture.publisher.publish(CommandType.PROVISION, SHOP, doc);
        return fixture.feed.awaitFinal(id, "backup-worker", SLOW);
    }

    private StatusEvent backupNow() {
        String id = fixture.publisher.publish(CommandType.BACKUP, SHOP, new BackupCommand(SHOP.name(), SHOP.namespace()));
        return fixture.feed.awaitFinal(id, "backup-worker", SLOW);
    }

    private Restic restic() {
        return Restic.onS3(s3, "backups/tenant-a/shop", PASSWORD);
    }

    private JsonNode resticSnapshots() throws Exception {
        return Json.mapper().readTree(restic().run(null, "snapshots", "--json").output());
    }

    @Test
    @Order(1)
    void anOnDemandBackupSavesTheRolesAndEveryDatabaseInTheBucket() throws Exception {
        String id = fixture.publisher.publish(CommandType.BACKUP, SHOP, new BackupCommand(SHOP.name(), SHOP.namespace()));
        StatusEvent done = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
        assertThat(fixture.feed.forCommand(id)).extracting(StatusEvent::step)
                .contains("globals", "sales", "stock", "postgres");
        @SuppressWarnings("unchecked")
        Map<String, String> snapshots = (Map<String, String>) done.details().get("snapshots");
        assertThat(snapshots).containsOnlyKeys("globals.sql", POSTGRES_DUMP, SALES_DUMP, STOCK_DUMP, "manifest.json");
        assertThat(((Number) done.details().get("bytes")).longValue()).isPositive();
        assertThat(done.details()).containsKeys("durationMs", "backupId");

        // Checked with restic itself, not through the service: the large database in a snapshot of its own, the roles
        // and the small databases together in another, the manifest last, all tagged with the backup id.
        String backupId = (String) done.details().get("backupId");
        Map<String, String> pathsById = new java.util.HashMap<>();
        resticSnapshots().forEach(s -> {
            if (s.get("tags").toString().contains("backup=" + backupId)) {
                pathsById.put(s.get("short_id").asText(), s.get("paths").get(0).asText());
            }
        });
        assertThat(pathsById).hasSize(3);
        assertThat(pathsById.get(snapshots.get(SALES_DUMP))).isEqualTo("/" + SALES_DUMP);
        assertThat(pathsById.get(snapshots.get("manifest.json"))).isEqualTo("/manifest.json");
        String together = snapshots.get("globals.sql");
        assertThat(snapshots.get(STOCK_DUMP)).isEqualTo(together);
        assertThat(snapshots.get(POSTGRES_DUMP)).isEqualTo(together);
        JsonNode manifest = Json.mapper().readTree(restic().run(null, "dump", snapshots.get("manifest.json"), "/manifest.json").output());
        String globalsPath = manifest.get("files").get("globals.sql").get("path").asText();
        assertThat(restic().run(null, "ls", together).output()).contains(globalsPath,
                manifest.get("files").get(STOCK_DUMP).get("path").asText(), manifest.get("files").get(POSTGRES_DUMP).get("path").asText());
        String globals = restic().run(null, "dump", together, globalsPath).output();
        assertThat(globals).contains("CREATE ROLE shop_owner", "CREATE ROLE shop_reader");
        String salesDump = restic().run(null, "dump", snapshots.get(SALES_DUMP), "/" + SALES_DUMP).output();
        assertThat(salesDump).startsWith("PGDMP");
        assertThat(restic().run(null, "dump", together, manifest.get("files").get(STOCK_DUMP).get("path").asText()).output())
                .startsWith("PGDMP");
        // The work directory the roles were dumped to is gone.
        assertThat(java.nio.file.Path.of(globalsPath)).hasParentRaw(workDir.resolve(backupId));
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    @Order(2)
    void aRestoreIntoAFreshInstanceBringsBackTheDataAndTheRoles() throws Exception {
        String id = fixture.publisher.publish(CommandType.RESTORE, COPY, new RestoreCommand(COPY.name(), COPY.namespace(), "shop", null, null));
        StatusEvent done = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);

        try (Connection reader = login(COPY, "sales", "shop_reader", "reader-pass")) {
            assertThat(count(reader, "SELECT count(*) FROM orders")).isEqualTo(1000);
            assertThatThrownBy(() -> exec(reader, "DELETE FROM orders")).hasMessageContaining("permission denied");
        }
        try (Connection owner = login(COPY, "stock", "shop_owner", "owner-pass")) {
            assertThat(count(owner, "SELECT sum(qty) FROM items")).isEqualTo(30);
            assertThat(text(owner, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'stock'")).isEqualTo("shop_owner");
        }
        // The roles and the small databases came out of their snapshot in one restic restore, to a work directory now gone.
        assertThat(LogCapture.text()).containsPattern("restored 3 files of snapshot \\w+ " + java.util.regex.Pattern.quote("(globals.sql, " + POSTGRES_DUMP + ", " + STOCK_DUMP + ")"));
        // sales.dump, in a snapshot of its own, fits the work directory's budget: read once from the repository, checked,
        // and loaded by pg_restore -j from the copy.
        assertThat(LogCapture.text()).containsPattern("restored 1 files of snapshot \\w+ " + java.util.regex.Pattern.quote("(" + SALES_DUMP + ")"));
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    @Order(2)
    void aRepositoryWrittenByHandWithTheTenantsPasswordIsRefusedAndNothingOfItRuns() throws Exception {
        InstanceKey handmade = new InstanceKey("tenant-a", "handmade");
        String password = "tenant-chosen-" + System.nanoTime();
        secrets.add(password);
        Postgres doc = Postgres.of(handmade.name(), handmade.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                new Backup(false, "us-east-1", s3.endpoint() + "/handmade", "0 3 * * *", null, s3.accessKey(), s3.secretKey(), password, null), null));
        assertThat(fixture.feed.awaitFinal(fixture.publisher.publish(CommandType.PROVISION, handmade, doc), "backup-worker", SLOW).phase())
                .isEqualTo(Phase.SUCCEEDED);

        // What the tenant writes with restic itself, where pgfleet keeps the instance's backups: roles' SQL that runs a
        // shell command through psql, a dump made outside pgfleet, and a manifest naming them, tagged as pgfleet tags.
        java.nio.file.Path pwned = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "pgfleet-pwned-" + System.nanoTime());
        String backupId = "20261130-120000-abcdef";
        java.nio.file.Path files = java.nio.file.Files.createTempDirectory("handmade-").resolve(backupId);
        java.nio.file.Files.createDirectories(files);
        java.nio.file.Files.writeString(files.resolve("globals.sql"), "CREATE ROLE intruder LOGIN SUPERUSER PASSWORD 'x';\n\\! touch " + pwned + "\n");
        Endpoint shop = fixture.driver().primary(SHOP).orElseThrow();
        ProcessBuilder dump = new ProcessBuilder(io.pgfleet.host.PgBinaries.find(java.util.Optional.empty()).tool("pg_dump"), "-Fc",
                "-h", shop.host(), "-p", Integer.toString(shop.port()), "-U", shop.user(), "-d", "stock", "-f", files.resolve("stock.dump").toString());
        dump.environment().put("PGPASSWORD", shop.password());
        assertThat(dump.inheritIO().start().waitFor()).isZero();
        Restic restic = Restic.onS3(s3, "handmade/tenant-a/handmade", password);
        restic.run(files, "init");
        List<String> tags = List.of("--host", "tenant-a/handmade", "--tag", "pgfleet,instance=tenant-a/handmade,backup=" + backupId);
        List<String> args = new ArrayList<>(List.of("backup", "--json"));
        args.addAll(tags);
        args.add(files.toString());
        restic.run(files, args.toArray(String[]::new));
        String snapshot = io.pgfleet.events.json.Json.mapper().readTree(restic.run(files, "snapshots", "--json").output()).get(0).get("id").asText();
        String manifest = ("{\"backupId\":\"%s\",\"instance\":\"tenant-a/handmade\",\"time\":\"2026-11-30T12:00:00Z\",\"databases\":[\"stock\"],"
                + "\"files\":{\"globals.sql\":{\"snapshot\":\"%s\",\"path\":\"%s\",\"bytes\":1},\"stock.dump\":{\"snapshot\":\"%s\","
                + "\"path\":\"%s\",\"bytes\":1}},\"roles\":[]}").formatted(backupId, snapshot, files.resolve("globals.sql"), snapshot,
                files.resolve("stock.dump"));
        ProcessBuilder save = new ProcessBuilder("restic", "--no-cache", "-r", restic.repository(), "backup", "--host", "tenant-a/handmade",
                "--tag", "pgfleet,manifest,instance=tenant-a/handmade,backup=" + backupId, "--stdin", "--stdin-filename", "manifest.json");
        save.environment().putAll(restic.environment());
        Process saving = save.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (java.io.OutputStream in = saving.getOutputStream()) {
            in.write(manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(saving.waitFor()).isZero();

        String id = fixture.publisher.publish(CommandType.RESTORE, COPY, new RestoreCommand(COPY.name(), COPY.namespace(), "handmade", null, null));
        StatusEvent refused = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(refused.phase()).isEqualTo(Phase.FAILED);
        assertThat(refused.message()).startsWith("not a backup made by pgfleet").contains("nothing was restored");
        assertThat(pwned).doesNotExist();
        try (Connection c = superuser(COPY, "postgres")) {
            assertThat(count(c, "SELECT count(*) FROM pg_roles WHERE rolname = 'intruder'")).isZero();
        }
    }

    @Test
    @Order(2)
    void aRestoreFromAnotherNamespaceIsRefusedUnlessThePairIsAllowed() throws Exception {
        InstanceKey elsewhere = new InstanceKey("tenant-c", "shop-copy");
        String refused = fixture.publisher.publish(CommandType.RESTORE, elsewhere,
                new RestoreCommand(elsewhere.name(), elsewhere.namespace(), "tenant-a/shop", null, null));
        StatusEvent rejected = fixture.feed.awaitFinal(refused, "backup-worker", SLOW);
        assertThat(rejected.phase()).isEqualTo(Phase.REJECTED);
        assertThat(rejected.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("from");
            assertThat(error.message()).contains("restoring backups of namespace 'tenant-a' into namespace 'tenant-c' is not allowed")
                    .contains("pgfleet.backup.cross-namespace-restores lists 'tenant-a:tenant-c'");
        });

        InstanceKey allowed = fixture.track(new InstanceKey("tenant-b", "shop-copy"));
        await().atMost(SLOW).until(() -> fixture.driver().apply(allowed, ONE).outcome() == Step.Outcome.DONE);
        String id = fixture.publisher.publish(CommandType.RESTORE, allowed,
                new RestoreCommand(allowed.name(), allowed.namespace(), "tenant-a/shop", null, null));
        StatusEvent done = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
        try (Connection c = superuser(allowed, "stock")) {
            assertThat(count(c, "SELECT sum(qty) FROM items")).isEqualTo(30);
        }
    }

    @Test
    @Order(3)
    void oneDatabaseIsRestoredAloneFromAChosenBackup() throws Exception {
        StatusEvent first = backupNow();
        String backupId = (String) first.details().get("backupId");
        try (Connection owner = login(SHOP, "stock", "shop_owner", "owner-pass")) {
            exec(owner, "DELETE FROM items");
        }
        try (Connection owner = login(SHOP, "sales", "shop_owner", "owner-pass")) {
            exec(owner, "INSERT INTO orders VALUES (1001, 'after the backup')");
        }
        String id = fixture.publisher.publish(CommandType.RESTORE, SHOP, new RestoreCommand(SHOP.name(), SHOP.namespace(), null, backupId, "stock"));
        StatusEvent done = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
        assertThat(done.details()).containsEntry("backupId", backupId);
        try (Connection owner = login(SHOP, "stock", "shop_owner", "owner-pass")) {
            assertThat(count(owner, "SELECT count(*) FROM items")).isEqualTo(2);
        }
        try (Connection owner = login(SHOP, "sales", "shop_owner", "owner-pass")) {
            assertThat(count(owner, "SELECT count(*) FROM orders")).isEqualTo(1001); // untouched
        }
        // A backup that does not exist: FAILED, saying so.
        String missing = fixture.publisher.publish(CommandType.RESTORE, SHOP, new RestoreCommand(SHOP.name(), SHOP.namespace(), null,
                "20000101-000000-abcdef", null));
        StatusEvent failed = fixture.feed.awaitFinal(missing, "backup-worker", SLOW);
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(failed.message()).contains("no complete backup '20000101-000000-abcdef'");

        // A manifest cut short (the worker died while giving it to restic; with nothing given, restic saves no
        // snapshot): it is not taken for a backup.
        String cut = "20000101-000000-dead00";
        List<String> argv = new ArrayList<>(List.of("restic", "--no-cache", "-r", restic().repository(), "backup", "--stdin",
                "--stdin-filename", "manifest.json", "--host", "tenant-a/shop", "--tag", "pgfleet", "--tag", "instance=tenant-a/shop",
                "--tag", "backup=" + cut, "--tag", "manifest"));
        io.pgfleet.backup.restic.Pipeline.Result saved = io.pgfleet.backup.restic.Pipeline.run(List.of(
                new io.pgfleet.backup.restic.Pipeline.Stage(argv, restic().environment())),
                ("{\"backupId\":\"" + cut + "\",\"instance\":\"tena").getBytes(java.nio.charset.StandardCharsets.UTF_8), SLOW);
        assertThat(saved.ok()).as(String.valueOf(saved.failure())).isTrue();
        String cutShort = fixture.publisher.publish(CommandType.RESTORE, SHOP, new RestoreCommand(SHOP.name(), SHOP.namespace(), null, cut, null));
        StatusEvent notABackup = fixture.feed.awaitFinal(cutShort, "backup-worker", SLOW);
        assertThat(notABackup.phase()).isEqualTo(Phase.FAILED);
        assertThat(notABackup.message()).contains("no complete backup '" + cut + "'");
        assertThat(LogCapture.text()).contains("is tagged as a manifest but does not read as one, passed over");
        // That backup's next attempt would forget it; here the test does.
        String cutId = Json.mapper().readTree(restic().run(null, "snapshots", "--json", "--tag", "backup=" + cut).output()).get(0).get("id").asText();
        restic().run(null, "forget", cutId);
    }

    @Test
    @Order(3)
    void aRestoreThatFailsPartWayOrMeetsAFileItsManifestDoesNotNameChangesNoDatabaseAndOneThatSucceedsSwapsThemWhole() throws Exception {
        // An instance of its own namespace (on-demand backups are bounded per namespace and hour).
        InstanceKey ledger = fixture.track(new InstanceKey("tenant-r", "ledger"));
        await().atMost(SLOW).until(() -> fixture.driver().apply(ledger, ONE).outcome() == Step.Outcome.DONE);
        try (Connection c = superuser(ledger, "postgres")) {
            exec(c, "CREATE ROLE ledger_owner LOGIN PASSWORD 'ledger-pass'");
            exec(c, "CREATE DATABASE books OWNER ledger_owner");
            exec(c, "CREATE DATABASE notes OWNER ledger_owner");
            // The database's own properties, which a restore brings back with it.
            exec(c, "COMMENT ON DATABASE notes IS 'the notes'");
            exec(c, "ALTER DATABASE notes SET work_mem = '7MB'");
            exec(c, "REVOKE CONNECT ON DATABASE notes FROM PUBLIC");
        }
        // The tenant's rule: an entry's id may not exceed the limit a materialized view holds. A restore fills materialized
        // views after the tables' rows, so the rule fails on the first row then: this backup cannot be restored.
        try (Connection c = login(ledger, "books", "ledger_owner", "ledger-pass")) {
            exec(c, "CREATE TABLE limits (v int)");
            exec(c, "INSERT INTO limits VALUES (100)");
            exec(c, "CREATE MATERIALIZED VIEW limits_now AS SELECT max(v) AS v FROM limits");
            exec(c, "CREATE FUNCTION within(id int) RETURNS boolean LANGUAGE sql AS 'SELECT id <= (SELECT v FROM public.limits_now)'");
            exec(c, "CREATE TABLE a_entries (id int PRIMARY KEY CHECK (public.within(id)))");
            exec(c, "INSERT INTO a_entries SELECT g FROM generate_series(1, 50) g");
        }
        try (Connection c = login(ledger, "notes", "ledger_owner", "ledger-pass")) {
            exec(c, "CREATE TABLE note (t text)");
            exec(c, "INSERT INTO note VALUES ('before')");
        }
        Postgres doc = Postgres.of(ledger.name(), ledger.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                backup("--keep-last=3", PASSWORD), null));
        assertThat(fixture.feed.awaitFinal(fixture.publisher.publish(CommandType.PROVISION, ledger, doc), "backup-worker", SLOW).phase())
                .isEqualTo(Phase.SUCCEEDED);
        StatusEvent backedUp = fixture.feed.awaitFinal(fixture.publisher.publish(CommandType.BACKUP, ledger,
                new BackupCommand(ledger.name(), ledger.namespace())), "backup-worker", SLOW);
        assertThat(backedUp.phase()).as(backedUp.message()).isEqualTo(Phase.SUCCEEDED);
        String backupId = (String) backedUp.details().get("backupId");

        try (Connection books = login(ledger, "books", "ledger_owner", "ledger-pass");
             Connection notes = login(ledger, "notes", "ledger_owner", "ledger-pass")) {
            exec(books, "INSERT INTO a_entries VALUES (51)");
            exec(notes, "INSERT INTO note VALUES ('after')");
            Map<String, String> oids = databaseOids(ledger);

            // The whole backup: notes loads, books fails part way: neither database is changed, and their sessions go on.
            String whole = fixture.publisher.publish(CommandType.RESTORE, ledger, new RestoreCommand(ledger.name(), ledger.namespace(), null,
                    backupId, null));
            StatusEvent failed = fixture.feed.awaitFinal(whole, "backup-worker", SLOW);
            assertThat(failed.phase()).as(String.valueOf(fixture.feed.forCommand(whole))).isEqualTo(Phase.FAILED);
            assertThat(failed.message()).contains("restoring database books").contains("has not been populated")
                    .endsWith("no database was changed");
            unchanged(ledger, books, notes, oids);

            // The catalog's manifest says another checksum for notes's dump than the file has: refused before anything runs.
            String notesDump = Manifest.dumpFile("notes");
            String manifest;
            try (Connection state = fixture.state.connect("postgres"); Statement sql = state.createStatement();
                 ResultSet row = sql.executeQuery("SELECT manifest FROM backup_worker.backup_run WHERE id = '" + backupId + "'")) {
                assertThat(row.next()).isTrue();
                manifest = row.getString(1);
            }
            JsonNode altered = Json.mapper().readTree(manifest);
            ((com.fasterxml.jackson.databind.node.ObjectNode) altered.get("files").get(notesDump)).put("sha256", "0".repeat(64));
            setManifest(backupId, Json.mapper().writeValueAsString(altered));
            try {
                String onlyNotes = fixture.publisher.publish(CommandType.RESTORE, ledger, new RestoreCommand(ledger.name(), ledger.namespace(),
                        null, backupId, "notes"));
                StatusEvent refused = fixture.feed.awaitFinal(onlyNotes, "backup-worker", SLOW);
                assertThat(refused.phase()).isEqualTo(Phase.FAILED);
                assertThat(refused.message()).contains(notesDump + " of backup '" + backupId + "' is not the file its manifest names")
                        .contains("nothing was restored");
                unchanged(ledger, books, notes, oids);
            } finally {
                setManifest(backupId, manifest);
            }

            // notes alone restores: a new database under its name, with its comment, settings and grants; its sessions ended.
            String onlyNotes = fixture.publisher.publish(CommandType.RESTORE, ledger, new RestoreCommand(ledger.name(), ledger.namespace(),
                    null, backupId, "notes"));
            StatusEvent done = fixture.feed.awaitFinal(onlyNotes, "backup-worker", SLOW);
            assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(onlyNotes))).isEqualTo(Phase.SUCCEEDED);
            assertThatThrownBy(() -> count(notes, "SELECT count(*) FROM note")).isInstanceOf(SQLException.class);
            assertThat(count(books, "SELECT count(*) FROM a_entries")).isEqualTo(51);
            assertThat(databaseOids(ledger)).containsEntry("books", oids.get("books")).doesNotContainEntry("notes", oids.get("notes"));
        }
        try (Connection notes = login(ledger, "notes", "ledger_owner", "ledger-pass")) {
            assertThat(text(notes, "SELECT string_agg(t, ',') FROM note")).isEqualTo("before");
            assertThat(text(notes, "SELECT current_setting('work_mem')")).isEqualTo("7MB");
            assertThat(text(notes, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'notes'")).isEqualTo("the notes");
            assertThat(text(notes, "SELECT has_database_privilege('public', 'notes', 'CONNECT')::text")).isEqualTo("false");
            assertThat(text(notes, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'notes'")).isEqualTo("ledger_owner");
        }
        try (Connection c = superuser(ledger, "postgres")) {
            assertThat(count(c, "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgfleet%'")).as("staging databases left").isZero();
        }
        // No schedule of its own in the later tests, which move the clock.
        Postgres off = Postgres.of(ledger.name(), ledger.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                new Backup(false, "us-east-1", bucket, "0 3 * * *", null, s3.accessKey(), s3.secretKey(), PASSWORD, null), null));
        assertThat(fixture.feed.awaitFinal(fixture.publisher.publish(CommandType.PROVISION, ledger, off), "backup-worker", SLOW).phase())
                .isEqualTo(Phase.SUCCEEDED);
    }

    /** Each database of the instance by its OID. */
    private Map<String, String> databaseOids(InstanceKey key) throws SQLException {
        Map<String, String> oids = new java.util.HashMap<>();
        try (Connection c = superuser(key, "postgres"); Statement sql = c.createStatement();
             ResultSet rows = sql.executeQuery("SELECT datname, oid::text FROM pg_database")) {
            while (rows.next()) {
                oids.put(rows.getString(1), rows.getString(2));
            }
        }
        return oids;
    }

    /** The ledger's databases as they were: the same OIDs and rows, their sessions open, nothing of a restore left. */
    private void unchanged(InstanceKey key, Connection books, Connection notes, Map<String, String> oids) throws SQLException {
        assertThat(count(books, "SELECT count(*) FROM a_entries")).isEqualTo(51);
        assertThat(count(notes, "SELECT count(*) FROM note")).isEqualTo(2);
        assertThat(databaseOids(key)).isEqualTo(oids);
        try (Connection c = superuser(key, "postgres")) {
            assertThat(count(c, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgfleet_load%'")).as("load roles left").isZero();
        }
    }

    private void setManifest(String backupId, String manifest) throws SQLException {
        try (Connection state = fixture.state.connect("postgres");
             java.sql.PreparedStatement update = state.prepareStatement("UPDATE backup_worker.backup_run SET manifest = ? WHERE id = ?")) {
            update.setString(1, manifest);
            update.setString(2, backupId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    @Order(4)
    void retentionKeepsTheLastThreeBackups() throws Exception {
        // --keep-last=3: a fourth backup makes the oldest go
        int before = manifests();
        for (int i = before; i < 4; i++) {
            assertThat(backupNow().phase()).isEqualTo(Phase.SUCCEEDED);
        }
        assertThat(manifests()).isEqualTo(3);
        assertThat(resticSnapshots().size()).isEqualTo(3 * 3); // a large database, the rest together, the manifest
        JsonNode catalog = get("/instances/tenant-a/shop/backups");
        int good = 0;
        for (JsonNode run : catalog) {
            if (run.get("status").asText().equals("SUCCEEDED")) {
                good++;
                assertThat(run.get("snapshots").get("manifest.json").asText()).isNotBlank();
                assertThat(run.get("databases")).hasSize(3); // postgres, sales, stock
            }
        }
        assertThat(good).isEqualTo(3);
        assertThat(get("/instances/tenant-a/shop/backups?all=true").size()).isGreaterThanOrEqualTo(4);
    }

    private int manifests() throws Exception {
        int n = 0;
        for (JsonNode s : resticSnapshots()) {
            if (s.get("tags").toString().contains("\"manifest\"")) {
                n++;
            }
        }
        return n;
    }

    @Test
    @Order(5)
    void aDumpThatFailsFailsTheBackupAndLeavesNoGoodSnapshot() throws Exception {
        try (Connection c = superuser(SHOP, "postgres")) {
            exec(c, "CREATE DATABASE scratch");
        }
        try (Connection c = superuser(SHOP, "scratch")) {
            exec(c, "CREATE TABLE t (id int)");
            // A table whose schema is gone from the catalog: pg_dump stops with an error.
            exec(c, "UPDATE pg_class SET relnamespace = 999999 WHERE relname = 't'");
        }
        try {
            int snapshotsBefore = resticSnapshots().size();
            StatusEvent failed = backupNow();
            assertThat(failed.phase()).isEqualTo(Phase.FAILED);
            assertThat(failed.message()).contains("pg_dump exited with 1");
            assertThat(resticSnapshots().size()).isEqualTo(snapshotsBefore);
            // The manifest's restic, started before the dumps, was stopped without writing and took its lock away.
            assertThat(restic().run(null, "list", "locks").output()).isBlank();
            List<String> catalog = new ArrayList<>();
            get("/instances/tenant-a/shop/backups").forEach(run -> catalog.add(run.get("status").asText() + " " + run.path("message").asText()));
            assertThat(catalog).anySatisfy(run -> assertThat(run).startsWith("FAILED").contains("pg_dump exited with 1"));

            // The same failure in a database large enough to stream: restic's snapshot of the part it got is forgotten too.
            try (Connection c = superuser(SHOP, "scratch")) {
                pad(c, 100_000);
            }
            StatusEvent streamed = backupNow();
            assertThat(streamed.phase()).isEqualTo(Phase.FAILED);
            assertThat(streamed.message()).contains("saving " + Manifest.dumpFile("scratch") + " failed: pg_dump exited with 1");
            assertThat(resticSnapshots().size()).isEqualTo(snapshotsBefore);
            assertThat(restic().run(null, "list", "locks").output()).isBlank();
        } finally {
            try (Connection c = superuser(SHOP, "postgres")) {
                exec(c, "DROP DATABASE scratch WITH (FORCE)");
            }
        }
    }

    @Test
    @Order(6)
    void cleanupStrategiesThatTryToBreakOutAreRejectedAndNothingRuns() throws Exception {
        for (String bad : List.of("--keep-last=3; rm -rf /", "$(id)", "--keep-last=-1", "--prune-all", "--keep-last=3 `id`")) {
            StatusEvent rejected = provision(backup(bad, PASSWORD));
            assertThat(rejected.phase()).as(bad).isEqualTo(Phase.REJECTED);
            assertThat(rejected.errors()).as(bad).anySatisfy(e -> assertThat(e.path()).isEqualTo("spec.backup.cleanupStrategy"));
        }
        assertThat(get("/instances/tenant-a/shop").get("cleanupStrategy").asText()).isEqualTo("--keep-last=3");
    }

    @Test
    @Order(7)
    void aWrongPasswordOrAnUnreachableEndpointFailsWithAReasonAndNoSecret() throws Exception {
        String wrong = "not-the-password-" + System.nanoTime();
        secrets.add(wrong);
        assertThat(provision(backup("--keep-last=3", wrong)).phase()).isEqualTo(Phase.SUCCEEDED);
        StatusEvent failed = backupNow();
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(failed.message()).contains("restic password does not open the repository").doesNotContain(wrong);

        Postgres unreachable = Postgres.of(SHOP.name(), SHOP.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                new Backup(true, "us-east-1", "http://127.0.0.1:1/backups", "0 3 * * *", "--keep-last=3", s3.accessKey(), s3.secretKey(),
                        PASSWORD, null), null));
        fixture.feed.awaitFinal(fixture.publisher.publish(CommandType.PROVISION, SHOP, unreachable), "backup-worker", SLOW);
        StatusEvent away = backupNow();
        assertThat(away.phase()).isEqualTo(Phase.FAILED);
        assertThat(away.message()).contains("cannot be reached");
        for (String secret : secrets) {
            assertThat(away.message()).doesNotContain(secret);
        }
        assertThat(provision(backup("--keep-last=3", PASSWORD)).phase()).isEqualTo(Phase.SUCCEEDED);
    }

    @Test
    @Order(7)
    void anS3EndpointOutsideTheAllowlistIsRejectedAndChangesNothing() throws Exception {
        for (String bucket : List.of("127.0.0.1:1/x", "127.0.0.1:2/backups", "http://10.0.0.7/backups", "s3.elsewhere.example/backups")) {
            Postgres elsewhere = Postgres.of(SHOP.name(), SHOP.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                    new Backup(true, "us-east-1", bucket, "0 3 * * *", "--keep-last=3", s3.accessKey(), s3.secretKey(), PASSWORD, null), null));
            StatusEvent rejected = fixture.feed.awaitFinal(fixture.publisher.publish(CommandType.PROVISION, SHOP, elsewhere), "backup-worker", SLOW);
            assertThat(rejected.phase()).as(bucket).isEqualTo(Phase.REJECTED);
            assertThat(rejected.errors()).singleElement().satisfies(error -> {
                assertThat(error.path()).isEqualTo("spec.backup.s3Bucket");
                // "x" is also too short a bucket name: that is the rule given for it.
                assertThat(error.message()).contains(bucket.endsWith("/x") ? "does not name a valid bucket" : "is not allowed");
            });
        }
        // The configuration is the one before: a backup still goes to the test's S3 server.
        assertThat(backupNow().phase()).isEqualTo(Phase.SUCCEEDED);
    }

    @Test
    @Order(8)
    void aCommandThatCannotBeTakenIsAnsweredFailedAndSetAsideSoTheNextOnesGoOn() throws Exception {
        // A credential file damaged by hand: the intake's check reads it and throws, every time.
        java.nio.file.Path file = fixture.dataRoot.resolve("credentials/tenant-a/shop-backup.json");
        String intact = java.nio.file.Files.readString(file);
        String token = "AKIA" + System.nanoTime();
        secrets.add(token);
        java.nio.file.Files.writeString(file, "{\"s3AccessKey\": " + token + "}");
        StatusEvent failed;
        try {
            failed = backupNow();
        } finally {
            java.nio.file.Files.writeString(file, intact);
        }
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(failed.reason()).isEqualTo("IntakeFailed");
        assertThat(failed.message()).contains("the backup command could not be taken (3 attempts)")
                .contains("shop-backup.json is not a JSON object of strings (line 1").doesNotContain(token);
        String topic = fixture.publisher.topic(CommandType.BACKUP);
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> dead =
                io.pgfleet.testkit.KafkaRecords.readAll(fixture.kafka, topic + ".dlq", 1);
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader("pgfleet_dlq_error").value(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("is not a JSON object of strings").doesNotContain(token);
        // The partition goes on: the next command is taken.
        assertThat(backupNow().phase()).isEqualTo(Phase.SUCCEEDED);
    }

    @Test
    @Order(9)
    void aBurstOfCommandsIsAnsweredOnceEachAndTheOneThatCannotBeTakenAloneWithoutHoldingUpTheOthers() throws Exception {
        // Six records in one produce request, so the worker's next poll takes them together: answers for an instance
        // without backups (REJECTED, no job), a record that is not a CloudEvent, a backup of shop while its credential
        // file is damaged (cannot be taken: three attempts, then FAILED), a redelivery of the first command.
        String topic = fixture.publisher.topic(CommandType.BACKUP);
        String dlq = topic + ".dlq";
        Map<String, Long> deadBefore = keyCounts(io.pgfleet.testkit.KafkaRecords.readToEnd(fixture.kafka, dlq));
        java.nio.file.Path file = fixture.dataRoot.resolve("credentials/tenant-a/shop-backup.json");
        String intact = java.nio.file.Files.readString(file);
        java.nio.file.Files.writeString(file, "{\"s3AccessKey\": [1]}");
        List<String> rejected = List.of(java.util.UUID.randomUUID().toString(), java.util.UUID.randomUUID().toString(),
                java.util.UUID.randomUUID().toString());
        String poison = java.util.UUID.randomUUID().toString();
        java.util.function.BiFunction<InstanceKey, String, org.apache.kafka.clients.producer.ProducerRecord<String, byte[]>> backup =
                (key, id) -> {
                    var record = io.pgfleet.events.envelope.CloudEventCodec.command(topic, CommandType.BACKUP, key, id,
                            URI.create("/pgfleet/test"), Instant.now(), new BackupCommand(key.name(), key.namespace()));
                    return new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, record.key(), record.value(), record.headers());
                };
        try {
            io.pgfleet.testkit.KafkaRecords.sendTogether(fixture.kafka, List.of(
                    backup.apply(COPY, rejected.get(0)),
                    new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, "garbage", "not a CloudEvent".getBytes()),
                    backup.apply(COPY, rejected.get(1)),
                    backup.apply(SHOP, poison),
                    backup.apply(COPY, rejected.get(0)),
                    backup.apply(COPY, rejected.get(2))));
            StatusEvent failed = fixture.feed.awaitFinal(poison, "backup-worker", SLOW);
            assertThat(failed.phase()).isEqualTo(Phase.FAILED);
            assertThat(failed.message()).contains("the backup command could not be taken (3 attempts)");
        } finally {
            java.nio.file.Files.writeString(file, intact);
        }
        for (String id : rejected) {
            assertThat(fixture.feed.awaitFinal(id, "backup-worker", SLOW).phase()).as(id).isEqualTo(Phase.REJECTED);
        }
        // The worker's consumer group has committed the end of the partition: every record handled.
        Map<String, Object> properties = fixture.properties();
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(fixture.kafka.clientProperties())) {
            org.apache.kafka.common.TopicPartition partition = new org.apache.kafka.common.TopicPartition(topic, 0);
            long end = admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(partition).get()
                    .offset();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                var committed = admin.listConsumerGroupOffsets((String) properties.get("pgfleet.kafka.group-id")).partitionsToOffsetAndMetadata()
                        .get().get(partition);
                return committed != null && committed.offset() == end;
            });
        }
        // One answer each (the redelivery of the first adds none), and each record set aside once: the garbage and the poison.
        for (String id : rejected) {
            assertThat(fixture.feed.forCommand(id).stream().filter(e -> e.service().equals("backup-worker")).toList()).as(id).hasSize(1);
        }
        assertThat(fixture.feed.forCommand(poison).stream().filter(e -> e.service().equals("backup-worker")).toList()).hasSize(1);
        Map<String, Long> dead = keyCounts(io.pgfleet.testkit.KafkaRecords.readToEnd(fixture.kafka, dlq));
        assertThat(dead.getOrDefault("garbage", 0L)).isEqualTo(deadBefore.getOrDefault("garbage", 0L) + 1);
        assertThat(dead.getOrDefault(SHOP.toString(), 0L)).isEqualTo(deadBefore.getOrDefault(SHOP.toString(), 0L) + 1);
        assertThat(dead.values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(deadBefore.values().stream().mapToLong(Long::longValue).sum() + 2);
    }

    private static Map<String, Long> keyCounts(List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> records) {
        return records.stream().collect(java.util.stream.Collectors.groupingBy(
                org.apache.kafka.clients.consumer.ConsumerRecord::key, java.util.stream.Collectors.counting()));
    }

    @Test
    @Order(9)
    void theScheduleFiresOnceWithTwoWorkersAndMissedRunsBecomeOne() throws Exception {
        // a second replica of the same worker: the same settings (the endpoints it may reach among them), its own identity
        Map<String, Object> settings = new java.util.HashMap<>(workerSettings);
        settings.put("pgfleet.jobs.instance-id", "second-worker");
        EmbeddedServer second = fixture.start(settings, clock);
        try {
            int before = scheduledRuns().size();
            clock.set(at(0, "02:59:00"));
            // Nothing is due before 03:00.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> scheduledRuns().size() == before);
            clock.set(at(0, "03:00:30"));
            await().atMost(SLOW).until(() -> scheduledRuns().size() == before + 1 && scheduledRuns().get(0).get("status").asText().equals("SUCCEEDED"));
            assertThat(scheduledRuns().get(0).get("scheduledFor").asText()).isEqualTo(at(0, "03:00:00").toString());
            assertThat(fixture.feed.all().stream().map(r -> r.event()).filter(e -> "BackupScheduled".equals(e.reason())
                    && SHOP.toString().equals(e.instance())).count()).isEqualTo(1);

            // Three days pass with the workers stopped in effect: one run (for the first missed slot), not three.
            clock.set(at(3, "12:00:00"));
            await().atMost(SLOW).until(() -> scheduledRuns().size() == before + 2 && scheduledRuns().get(0).get("status").asText().equals("SUCCEEDED"));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> scheduledRuns().size() == before + 2);
            assertThat(scheduledRuns().get(0).get("scheduledFor").asText()).isEqualTo(at(1, "03:00:00").toString());
            assertThat(get("/instances/tenant-a/shop").get("nextRun").asText()).isEqualTo(at(4, "03:00:00").toString());
        } finally {
            second.close();
        }
    }

    private List<JsonNode> scheduledRuns() throws Exception {
        List<JsonNode> runs = new ArrayList<>();
        get("/instances/tenant-a/shop/backups?all=true").forEach(run -> {
            if (run.get("trigger").asText().equals("scheduled")) {
                runs.add(run);
            }
        });
        return runs;
    }

    @Test
    @Order(10)
    void aStaleLockLeftByAKilledResticIsCleared() throws Exception {
        // A restic process holding a lock, killed: its lock stays in the bucket and blocks forget/prune.
        Process lock = startLocking();
        await().atMost(Duration.ofSeconds(30)).until(() -> !restic().run(null, "list", "locks").output().isBlank());
        lock.destroyForcibly().waitFor();
        assertThat(restic().run(null, "list", "locks").output()).isNotBlank();

        StatusEvent done = backupNow();
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(String.valueOf(done.details().get("retention"))).startsWith("applied");
    }

    @Test
    @Order(10)
    void databasesWithHostileNamesAreBackedUpAndRestoredExactlyAndNoneBecomesAPathOrAConnectionString() throws Exception {
        // A tenant names its databases: '=' makes a libpq conninfo of a bare -d (host=... sends the password there),
        // '../' leaves a work directory, '?' and '&' add JDBC parameters.
        List<String> names = List.of("a=b", "../x", "host=127.0.0.2 port=1", "\"q\"", "ünïcode", "x?sslmode=disable&y=1", "it's \\ odd");
        try (Connection c = superuser(SHOP, "postgres")) {
            for (String name : names) {
                exec(c, "CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\" OWNER shop_owner");
            }
        }
        for (String name : names) {
            try (Connection c = login(SHOP, name, "shop_owner", "owner-pass")) {
                exec(c, "CREATE TABLE marker (name text)");
                exec(c, "INSERT INTO marker VALUES ('" + name.replace("'", "''") + "')");
            }
        }
        StatusEvent done = backupNow();
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(workDir.getParent().resolve("x.dump")).doesNotExist();
        assertThat(workDir).isEmptyDirectory();

        InstanceKey names2 = fixture.track(new InstanceKey("tenant-a", "shop-names"));
        await().atMost(SLOW).until(() -> fixture.driver().apply(names2, ONE).outcome() == Step.Outcome.DONE);
        String id = fixture.publisher.publish(CommandType.RESTORE, names2, new RestoreCommand(names2.name(), names2.namespace(), "shop",
                (String) done.details().get("backupId"), null));
        StatusEvent restored = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(restored.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
        for (String name : names) {
            try (Connection c = login(names2, name, "shop_owner", "owner-pass")) {
                assertThat(text(c, "SELECT current_database()")).isEqualTo(name);
                assertThat(text(c, "SELECT name FROM marker")).isEqualTo(name);
            }
        }
        assertThat(workDir.getParent().resolve("x.dump")).doesNotExist();
        try (Connection c = superuser(SHOP, "postgres")) {
            for (String name : names) {
                exec(c, "DROP DATABASE \"" + name.replace("\"", "\"\"") + "\"");
            }
        }
    }

    /**
     * A tenant's admin puts its own code where a restore evaluates it for every row it loads: a CHECK constraint, a domain's
     * CHECK and a stored generated column, in a database of its own and in a schema of the maintenance database. The code
     * tries to become superuser, first undoing any SET ROLE or SET SESSION AUTHORIZATION the session could be under.
     * Restored into a fresh instance, and the maintenance database over itself, the data comes back and the role stays what
     * it was: the rows are loaded in a session authenticated as a role that holds only the tables' owner's rights. The same
     * database also shadows catalogue functions, views and an operator in {@code public} and puts {@code public} first in
     * its search path, for the backup's and the restores' catalogue reads to run the tenant's code: none does.
     */
    @Test
    @Order(10)
    void aTenantsCodeThatARestoreEvaluatesRunsWithTheTableOwnersRightsOnly() throws Exception {
        String gate = "CREATE FUNCTION %1$s.gate(v int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN "
                + "BEGIN EXECUTE 'RESET ROLE'; EXCEPTION WHEN OTHERS THEN NULL; END; "
                + "BEGIN EXECUTE 'SET SESSION AUTHORIZATION DEFAULT'; EXCEPTION WHEN OTHERS THEN NULL; END; "
                + "BEGIN EXECUTE 'ALTER ROLE shop_owner SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END; "
                + "RETURN true; END $$";
        List<String> trap = List.of(gate,
                "CREATE FUNCTION %1$s.gen(v int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM %1$s.gate(v); RETURN v; END $$",
                "CREATE TABLE %1$s.guarded (v int CHECK (%1$s.gate(v)))",
                "CREATE DOMAIN %1$s.gated AS int CHECK (%1$s.gate(VALUE))",
                "CREATE TABLE %1$s.domained (v %1$s.gated)",
                "CREATE TABLE %1$s.generated (v int, w int GENERATED ALWAYS AS (%1$s.gen(v)) STORED)",
                "INSERT INTO %1$s.guarded SELECT generate_series(1, 3)",
                "INSERT INTO %1$s.domained SELECT generate_series(1, 3)",
                "INSERT INTO %1$s.generated (v) SELECT generate_series(1, 3)");
        try (Connection c = superuser(SHOP, "postgres")) {
            exec(c, "CREATE DATABASE trap OWNER shop_owner");
            exec(c, "GRANT CREATE ON DATABASE postgres TO shop_owner");
        }
        try (Connection c = login(SHOP, "trap", "shop_owner", "owner-pass")) {
            for (String statement : trap) {
                exec(c, statement.formatted("public"));
            }
            // And the search_path attack on every session that reads this database's catalogue (a backup's, a restore's):
            // names of the catalogue shadowed in public, public put first for every session of the database.
            for (String shadow : List.of(
                    "CREATE FUNCTION public.pg_get_userbyid(oid) RETURNS name LANGUAGE plpgsql AS $$ BEGIN PERFORM public.gate(0); "
                            + "RETURN 'x'; END $$",
                    "CREATE FUNCTION public.current_database() RETURNS name LANGUAGE plpgsql AS $$ BEGIN PERFORM public.gate(0); "
                            + "RETURN 'trap'; END $$",
                    "CREATE FUNCTION public.quote_ident(text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM public.gate(0); RETURN $1; END $$",
                    "CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM public.gate(0); RETURN $1; END $$",
                    "CREATE FUNCTION public.name_eq(name, name) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM public.gate(0); "
                            + "RETURN $1::text = $2::text; END $$",
                    "CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = name, FUNCTION = public.name_eq)",
                    "CREATE VIEW public.pg_class AS SELECT * FROM pg_catalog.pg_class WHERE public.gate(0)",
                    "CREATE VIEW public.pg_roles AS SELECT * FROM pg_catalog.pg_roles WHERE public.gate(0)",
                    "CREATE VIEW public.pg_namespace AS SELECT * FROM pg_catalog.pg_namespace WHERE public.gate(0)",
                    "CREATE VIEW public.pg_stat_activity AS SELECT * FROM pg_catalog.pg_stat_activity WHERE public.gate(0)",
                    "ALTER DATABASE trap SET search_path = public, pg_catalog")) {
                exec(c, shadow);
            }
            assertThatThrownBy(() -> exec(c, "CREATE EVENT TRIGGER trap ON ddl_command_start EXECUTE FUNCTION public.gate_event()"))
                    .hasMessageContaining("permission denied");
        }
        try (Connection c = login(SHOP, "postgres", "shop_owner", "owner-pass")) {
            exec(c, "CREATE SCHEMA trap");
            for (String statement : trap) {
                exec(c, statement.formatted("trap"));
            }
        }
        StatusEvent done = backupNow();
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.SUCCEEDED);
        String backupId = (String) done.details().get("backupId");

        InstanceKey fresh = fixture.track(new InstanceKey("tenant-a", "shop-trapped"));
        await().atMost(SLOW).until(() -> fixture.driver().apply(fresh, ONE).outcome() == Step.Outcome.DONE);
        String all = fixture.publisher.publish(CommandType.RESTORE, fresh, new RestoreCommand(fresh.name(), fresh.namespace(), "shop",
                backupId, null));
        StatusEvent restored = fixture.feed.awaitFinal(all, "backup-worker", SLOW);
        assertThat(restored.phase()).as(String.valueOf(fixture.feed.forCommand(all))).isEqualTo(Phase.SUCCEEDED);
        // The maintenance database restored over itself: its objects, the trap among them, are replaced.
        String postgresOnly = fixture.publisher.publish(CommandType.RESTORE, SHOP, new RestoreCommand(SHOP.name(), SHOP.namespace(), null,
                backupId, "postgres"));
        StatusEvent replaced = fixture.feed.awaitFinal(postgresOnly, "backup-worker", SLOW);
        assertThat(replaced.phase()).as(String.valueOf(fixture.feed.forCommand(postgresOnly))).isEqualTo(Phase.SUCCEEDED);

        for (InstanceKey key : List.of(fresh, SHOP)) {
            try (Connection c = superuser(key, "postgres")) {
                assertThat(text(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = 'shop_owner'")).as(key + ": shop_owner is superuser")
                        .isEqualTo("false");
                assertThat(count(c, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgfleet%'")).as("roles left behind").isZero();
                for (String table : List.of("guarded", "domained", "generated")) {
                    assertThat(count(c, "SELECT count(*) FROM trap." + table)).as(key + " postgres: trap." + table).isEqualTo(3);
                }
            }
        }
        try (Connection c = session(fresh, "trap")) {
            for (String table : List.of("guarded", "domained", "generated")) {
                assertThat(count(c, "SELECT count(*) FROM public." + table)).as("trap: " + table).isEqualTo(3);
            }
            assertThat(count(c, "SELECT sum(w) FROM public.generated")).isEqualTo(6);
        }
        try (Connection c = superuser(SHOP, "postgres")) {
            exec(c, "DROP SCHEMA trap CASCADE");
            exec(c, "REVOKE CREATE ON DATABASE postgres FROM shop_owner");
            exec(c, "DROP DATABASE trap");
        }
    }

    /** restic backup from a stdin that never ends: it holds its lock until killed. */
    private Process startLocking() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("restic", "--no-cache", "-r", restic().repository(), "backup", "--stdin",
                "--stdin-filename", "endless", "--host", "someone-else");
        builder.environment().putAll(restic().environment());
        builder.redirectErrorStream(true);
        return builder.start(); // stdin stays open: restic waits for more
    }

    @Test
    @Order(10)
    void backupsEnabledWithoutAnyCredentialsFailTheBackupPartInsteadOfRejectingTheCommand() throws Exception {
        // As the reference's HA example does: enabled, a bucket, no secrets; this worker has no default credentials.
        InstanceKey key = new InstanceKey("tenant-a", "no-credentials");
        Postgres doc = Postgres.of(key.name(), key.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                new Backup(true, "us-east-1", bucket, "0 3 * * *", "--keep-last=3", null, null, null, null), null));
        String id = fixture.publisher.publish(CommandType.PROVISION, key, doc);
        StatusEvent answer = fixture.feed.awaitFinal(id, "backup-worker", SLOW);
        assertThat(answer.phase()).as("a problem with this service's part is its FAILED, never a REJECTED the others would not give")
                .isEqualTo(Phase.FAILED);
        assertThat(answer.reason()).isEqualTo("BackupConfigurationFailed");
        assertThat(answer.message()).contains("no backup credentials");
        assertThat(fixture.feed.forCommand(id)).extracting(StatusEvent::phase).contains(Phase.ACCEPTED);
        assertThat(get("/instances/tenant-a/no-credentials").get("hasCredentials").asBoolean()).isFalse();
    }

    @Test
    @Order(10)
    void onDemandBackupsAreBoundedPerNamespaceAndHour() throws Exception {
        // A tenant asks for backups in a loop: each would dump every database and write to S3.
        InstanceKey key = new InstanceKey("tenant-q", "greedy");
        Postgres doc = Postgres.of(key.name(), key.namespace(), new PostgresSpec(null, null, 1, null, null, null, null, null,
                backup("--keep-last=3", PASSWORD), null));
        fixture.feed.awaitFinal(fixture.publisher.publish(CommandType.PROVISION, key, doc), "backup-worker", SLOW);
        List<StatusEvent> answers = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            String id = fixture.publisher.publish(CommandType.BACKUP, key, new BackupCommand(key.name(), key.namespace()));
            answers.add(fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && (e.phase() == Phase.ACCEPTED || e.phase() == Phase.REJECTED),
                    SLOW, () -> String.valueOf(fixture.feed.forCommand(id))));
        }
        assertThat(answers.subList(0, 12)).extracting(StatusEvent::phase).containsOnly(Phase.ACCEPTED);
        StatusEvent refused = answers.get(12);
        assertThat(refused.phase()).isEqualTo(Phase.REJECTED);
        assertThat(refused.errors()).singleElement().satisfies(error -> assertThat(error.message())
                .contains("namespace 'tenant-q' was given 12 on-demand backups in the last hour; at most 12")
                .contains("pgfleet.limits.namespace-backups-per-hour"));
        // Another namespace's backups are not counted against it.
        assertThat(backupNow().phase()).isEqualTo(Phase.SUCCEEDED);
    }

    @Test
    @Order(11)
    void noSecretReachesAnEventALogLineOrAStateTable() throws Exception {
        List<String> texts = new ArrayList<>();
        fixture.feed.all().forEach(r -> texts.add(r.rawValue()));
        texts.add(LogCapture.text());
        try (Connection c = fixture.state.connect("postgres"); Statement sql = c.createStatement()) {
            for (String table : List.of("backup_config", "backup_run", "job", "handled_command", "outbox")) {
                try (ResultSet rows = sql.executeQuery("SELECT t::text FROM backup_worker." + table + " t")) {
                    while (rows.next()) {
                        texts.add(rows.getString(1));
                    }
                }
            }
        }
        texts.add(get("/instances").toString());
        texts.add(get("/instances/tenant-a/shop/backups?all=true").toString());
        String all = String.join("\n", texts);
        assertThat(all).contains("BackupSucceeded").contains(s3.endpoint());
        for (String secret : secrets) {
            assertThat(all).as("a secret").doesNotContain(secret);
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.getPort() + path))
                        .header("Authorization", "Bearer " + fixture.platformToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private Connection superuser(InstanceKey key, String database) throws SQLException {
        Endpoint endpoint = fixture.driver().primary(key).orElseThrow();
        return DriverManager.getConnection(endpoint.jdbcUrl(database), endpoint.user(), endpoint.password());
    }

    /** A superuser session as pgfleet's own are made: immune to what the tenant put in the database (its search path fixed). */
    private Connection session(InstanceKey key, String database) throws SQLException {
        Endpoint endpoint = fixture.driver().primary(key).orElseThrow();
        return DriverManager.getConnection(endpoint.sessionUrl(database), endpoint.user(), endpoint.password());
    }

    private Connection login(InstanceKey key, String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(fixture.driver().primary(key).orElseThrow().jdbcUrl(database), user, password);
    }


}
