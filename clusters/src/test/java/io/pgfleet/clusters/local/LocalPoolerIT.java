package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.PoolerEndpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.postgres.Pooler;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.Processes;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.host.CommandResult;
import io.pgfleet.runtime.job.Step;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local driver's pooler against real PgBouncer and PostgreSQL processes: an instance of two members with
 * {@code max_connections: 50} behind a transaction pool, reached as a tenant's application reaches it (its own role and
 * password, pgJDBC and psql).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalPoolerIT {

    private static final InstanceKey KEY = new InstanceKey("tenant-p", "pooled");
    private static final String APP_PASSWORD = "app-secret-9f2c";

    private Path root;
    private LocalSettings settings;
    private LocalClusterDriver driver;

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("pgfleet-pooler-it-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        settings = new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), PgBinaries.find(Optional.empty()), Duration.ofSeconds(60))
                .failoverDelay(Duration.ZERO);
        driver = new LocalClusterDriver(settings);
        List<String> steps = settle(spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, true)));
        assertThat(steps).anyMatch(s -> s.contains("pooler rw started")).anyMatch(s -> s.contains("pooler ro started"));
        Endpoint primary = driver.primary(KEY).orElseThrow();
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            sql.execute("CREATE ROLE app LOGIN PASSWORD '" + APP_PASSWORD + "'");
            sql.execute("CREATE DATABASE appdb OWNER app");
        }
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("appdb"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            sql.execute("CREATE TABLE writes (id bigint PRIMARY KEY)");
            sql.execute("ALTER TABLE writes OWNER TO app");
        }
        // The database made after the pooler: the next reconcile installs the lookup there.
        assertThat(settle(spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, true)))).anyMatch(s -> s.contains("pooler rw configured"));
    }

    @AfterAll
    void stop() {
        driver.delete(KEY);
        LocalFiles.deleteTree(root);
    }

    private static ClusterSpec spec(Pooler pooler) {
        // Synchronous (ANY 1 of the standby): a failover keeps every acknowledged write.
        return new ClusterSpec(false, "1Gi", 2, "local", Map.of("max_connections", "50"), 1, 1, false, pooler);
    }

    private List<String> settle(ClusterSpec spec) {
        List<String> steps = new ArrayList<>();
        AtomicReference<Step> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Step step = driver.apply(KEY, spec);
            steps.add(step.outcome() + ": " + step.message());
            last.set(step);
            return step.outcome() != Step.Outcome.WAIT;
        });
        assertThat(last.get().outcome()).as(String.join("\n", steps)).isEqualTo(Step.Outcome.DONE);
        return steps;
    }

    private int port(LocalPooler.Kind kind) {
        return LocalPooler.readPorts(root.resolve("local").resolve(KEY.namespace()).resolve(KEY.name())).get(kind.label());
    }

    /** pgJDBC through a pool: no server-side prepared statements (a transaction pool hands each transaction another server). */
    private String url(LocalPooler.Kind kind, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port(kind) + "/" + database + "?prepareThreshold=0&sslmode=verify-full&sslrootcert="
                + settings.caCertificate() + "&connectTimeout=10&socketTimeout=60";
    }

    private CommandResult psql(LocalPooler.Kind kind, String user, String password, String query) {
        return ProcessRunner.run(List.of(PgBinaries.find(Optional.empty()).tool("psql"), "-XAtc", query, "host=127.0.0.1 port=" + port(kind)
                        + " dbname=appdb user=" + user + " sslmode=verify-full sslrootcert=" + settings.caCertificate()),
                Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10"), root, Duration.ofSeconds(30));
    }

    @Test
    @Order(1)
    void fiveHundredClientsAreServedByAnInstanceOfFiftyConnections() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(50);
        List<Connection> open = new ArrayList<>();
        try {
            List<Future<Connection>> opening = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                opening.add(threads.submit(() -> DriverManager.getConnection(url(LocalPooler.Kind.RW, "appdb"), "app", APP_PASSWORD)));
            }
            for (Future<Connection> connection : opening) {
                open.add(connection.get());
            }
            // All 500 open at once, each served in turn.
            List<Future<Integer>> answers = new ArrayList<>();
            for (Connection connection : open) {
                answers.add(threads.submit(() -> {
                    try (Statement sql = connection.createStatement(); ResultSet one = sql.executeQuery("SELECT 1 FROM pg_sleep(0.01)")) {
                        one.next();
                        return one.getInt(1);
                    }
                }));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(1);
            }
            // PgBouncer's own count, read from its console (at most every 10 s): the 500 clients (its server connections also
            // count the lookup role's; the app's alone are counted on the server below).
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                PoolerEndpoint.Use use = driver.observe(KEY).poolers().get(0).use();
                assertThat(use.clientsActive() + use.clientsWaiting()).isEqualTo(500);
                assertThat(use.serversActive() + use.serversIdle()).isPositive();
            });
            // Room for every client it may accept: its account's hard limit of open files, not the usual 1024.
            long pid = Long.parseLong(Files.readString(root.resolve("local/tenant-p/pooled/pooler-rw/pgbouncer.pid")).strip());
            assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/limits")).stream().filter(l -> l.startsWith("Max open files")).findFirst()
                    .orElseThrow().split("\\s+")[3]).isNotEqualTo("1024");
            Endpoint primary = driver.primary(KEY).orElseThrow();
            try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
                 Statement sql = c.createStatement();
                 ResultSet backends = sql.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'")) {
                backends.next();
                assertThat(backends.getInt(1)).as("server connections of the pool").isBetween(1, 20);
            }
        } finally {
            for (Connection connection : open) {
                connection.close();
            }
            threads.shutdownNow();
        }
    }

    @Test
    @Order(2)
    void psqlConnectsOverVerifiedTlsAndAWrongPasswordASuperuserAndTheLookupRoleAreRefused() {
        CommandResult app = psql(LocalPooler.Kind.RW, "app", APP_PASSWORD, "SELECT current_user || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        assertThat(app.exitCode()).as(app.output()).isZero();
        // Between the pooler and the member: TLS too (the server's own view of the session).
        assertThat(app.output().strip()).isEqualTo("app true");
        CommandResult wrong = psql(LocalPooler.Kind.RW, "app", "not-the-password", "SELECT 1");
        assertThat(wrong.exitCode()).isNotZero();
        assertThat(wrong.output()).contains("authentication failed");
        assertThat(psql(LocalPooler.Kind.RW, "postgres", driverSuperuserPassword(), "SELECT 1").exitCode()).as("the superuser").isNotZero();
        assertThat(psql(LocalPooler.Kind.RW, PoolerConfig.LOOKUP_ROLE, "", "SELECT 1").exitCode()).as("the lookup role").isNotZero();
        // Nor straight to the member by password: the lookup role logs in by its certificate alone.
        Endpoint primary = driver.primary(KEY).orElseThrow();
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + primary.port() + "/appdb", PoolerConfig.LOOKUP_ROLE, "x"))
                .isInstanceOf(SQLException.class);
    }

    @Test
    @Order(2)
    void noPasswordIsInAnyFileThePoolsReadOrWriteAndTheirUserFileHoldsAVerifierOnly() throws Exception {
        Path instance = root.resolve("local").resolve(KEY.namespace()).resolve(KEY.name());
        String stats = Files.readString(instance.resolve("pooler-stats.password")).strip();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(instance.resolve("pooler-stats.password")))).isEqualTo("rw-------");
        for (String pool : List.of("pooler-rw", "pooler-ro")) {
            try (var files = Files.list(instance.resolve(pool))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(file);
                    assertThat(text).as(file.toString()).doesNotContain(stats, APP_PASSWORD, driverSuperuserPassword());
                }
            }
            assertThat(Files.readString(instance.resolve(pool).resolve("users.txt"))).matches("\"pgfleet_stats\" \"SCRAM-SHA-256\\$4096:[^\"]+\"\n");
        }
    }

    private String driverSuperuserPassword() {
        return driver.primary(KEY).orElseThrow().password();
    }

    @Test
    @Order(3)
    void theReadOnlyPoolLeadsToAStandby() {
        CommandResult ro = psql(LocalPooler.Kind.RO, "app", APP_PASSWORD, "SELECT pg_is_in_recovery()");
        assertThat(ro.exitCode()).as(ro.output()).isZero();
        assertThat(ro.output().strip()).isEqualTo("t");
        assertThat(psql(LocalPooler.Kind.RW, "app", APP_PASSWORD, "SELECT pg_is_in_recovery()").output().strip()).isEqualTo("f");
    }

    @Test
    @Order(4)
    void aWriterThroughThePoolKeepsWritingAcrossASwitchoverAndLosesNoAcknowledgedWrite() throws Exception {
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = writer(acknowledged, writing);
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() > 50);
        String before = driver.primary(KEY).orElseThrow().port() + "";
        AtomicReference<Step> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Step step = driver.switchover(KEY, spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, true)), "pooled-1", Optional.empty());
            last.set(step);
            return step.outcome() != Step.Outcome.WAIT;
        });
        assertThat(last.get().outcome()).as(last.get().message()).isEqualTo(Step.Outcome.DONE);
        int afterSwitchover = acknowledged.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() > afterSwitchover + 50);
        writing.set(false);
        writer.join(30_000);
        Endpoint primary = driver.primary(KEY).orElseThrow();
        assertThat(Integer.toString(primary.port())).isNotEqualTo(before);
        // Every acknowledged write is on the new primary, read straight from it.
        assertThat(stored()).containsAll(acknowledged);
        assertThat(psql(LocalPooler.Kind.RW, "app", APP_PASSWORD, "SELECT inet_server_port()").output().strip())
                .isEqualTo(Integer.toString(primary.port()));
    }

    /**
     * A client of the read-write pool inserting ids one by one, each counted once its commit returned; on an error (the
     * pool's server went away) the same id is tried again, on the same client connection unless PgBouncer closed it.
     */
    private Thread writer(Set<Long> acknowledged, AtomicBoolean writing) {
        Thread writer = new Thread(() -> {
            long next = acknowledged.stream().mapToLong(Long::longValue).max().orElse(0) + 1;
            Connection connection = null;
            while (writing.get()) {
                try {
                    if (connection == null) {
                        connection = DriverManager.getConnection(url(LocalPooler.Kind.RW, "appdb"), "app", APP_PASSWORD);
                    }
                    try (Statement sql = connection.createStatement()) {
                        sql.execute("INSERT INTO writes VALUES (" + next + ") ON CONFLICT DO NOTHING");
                    }
                    acknowledged.add(next++);
                } catch (SQLException e) {
                    if (connection != null && isClosed(connection)) {
                        connection = null;
                    }
                }
            }
        }, "pooled-writer");
        writer.setDaemon(true);
        writer.start();
        return writer;
    }

    /** The ids stored in the table, read straight from the primary. */
    private Set<Long> stored() throws SQLException {
        Endpoint primary = driver.primary(KEY).orElseThrow();
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("appdb"), primary.user(), primary.password());
             Statement sql = c.createStatement();
             ResultSet rows = sql.executeQuery("SELECT id FROM writes")) {
            Set<Long> stored = new HashSet<>();
            while (rows.next()) {
                stored.add(rows.getLong(1));
            }
            return stored;
        }
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed() || !connection.isValid(2);
        } catch (SQLException e) {
            return true;
        }
    }

    @Test
    @Order(5)
    void aWriterThroughThePoolKeepsWritingAcrossAFailoverOfAKilledPrimaryAndLosesNoAcknowledgedWrite() throws Exception {
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        acknowledged.addAll(stored());
        int before = acknowledged.size();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = writer(acknowledged, writing);
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() > before + 50);
        Endpoint old = driver.primary(KEY).orElseThrow();
        String member = "member-" + (old.port() == port(1) ? 1 : 2);
        long postmaster = Long.parseLong(Files.readAllLines(root.resolve("local").resolve(KEY.namespace()).resolve(KEY.name()).resolve(member)
                .resolve("data/postmaster.pid")).get(0).strip());
        ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();   // SIGKILL
        List<String> steps = settle(spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, true)));
        assertThat(steps).anyMatch(s -> s.contains("promoted in place of")).anyMatch(s -> s.contains("pooler rw leads to"));
        int afterFailover = acknowledged.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() > afterFailover + 50);
        writing.set(false);
        writer.join(30_000);
        assertThat(driver.primary(KEY).orElseThrow().port()).isNotEqualTo(old.port());
        assertThat(stored()).containsAll(acknowledged);
        assertThat(psql(LocalPooler.Kind.RW, "app", APP_PASSWORD, "SELECT inet_server_port()").output().strip())
                .isEqualTo(Integer.toString(driver.primary(KEY).orElseThrow().port()));
    }

    /** The port of member {@code index}, as recorded. */
    private int port(int index) {
        return new LocalInstance(KEY, root.resolve("local").resolve(KEY.namespace()).resolve(KEY.name()), settings).ports().get(index);
    }

    @Test
    @Order(6)
    void aTenantRoleCannotCallTheLookupAndASchemaOfThatNameTheTenantMadeIsRefusedNeverUsed() throws Exception {
        Endpoint primary = driver.primary(KEY).orElseThrow();
        // As the tenant's own role, straight to the primary: the lookup (which reads pg_authid) is not its to call.
        try (Connection app = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + primary.port() + "/appdb", "app", APP_PASSWORD);
             Statement sql = app.createStatement()) {
            assertThatThrownBy(() -> sql.executeQuery("SELECT * FROM pgfleet_pooler.lookup('app')"))
                    .hasMessageContaining("permission denied for schema pgfleet_pooler");
        }
        // A database of the tenant's (its role owns it) made from template0 (as a restore makes one), in which it makes a schema of
        // that name first, with a lookup of its own, before pgfleet installs its own.
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            sql.execute("CREATE DATABASE tenantdb OWNER app TEMPLATE template0");
        }
        try (Connection app = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + primary.port() + "/tenantdb", "app", APP_PASSWORD);
             Statement sql = app.createStatement()) {
            sql.execute("CREATE SCHEMA pgfleet_pooler");
            sql.execute("CREATE FUNCTION pgfleet_pooler.lookup(name text, OUT usename text, OUT passwd text) RETURNS record LANGUAGE sql "
                    + "AS $$ SELECT name, 'SCRAM-SHA-256$4096:planted' $$");
        }
        AtomicReference<Step> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> {
            last.set(driver.apply(KEY, spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, true))));
            return last.get().outcome() != Step.Outcome.WAIT;
        });
        assertThat(last.get().outcome()).isEqualTo(Step.Outcome.FAILED);
        assertThat(last.get().message()).contains("schema pgfleet_pooler in database 'tenantdb' belongs to app, not to pgfleet");
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("tenantdb"), primary.user(), primary.password());
             Statement sql = c.createStatement();
             ResultSet function = sql.executeQuery("SELECT pg_get_userbyid(proowner), prosrc, proacl IS NULL, prosecdef FROM pg_proc "
                     + "WHERE proname = 'lookup' AND pronamespace = 'pgfleet_pooler'::regnamespace")) {
            // The tenant's function as the tenant made it: not replaced, not made SECURITY DEFINER, granted nothing.
            assertThat(function.next()).isTrue();
            assertThat(function.getString(1)).isEqualTo("app");
            assertThat(function.getString(2)).contains("planted");
            assertThat(function.getBoolean(3)).isTrue();
            assertThat(function.getBoolean(4)).isFalse();
            assertThat(function.next()).isFalse();
        }
        // The pool itself goes on serving the other databases meanwhile.
        assertThat(psql(LocalPooler.Kind.RW, "app", APP_PASSWORD, "SELECT 1").output().strip()).isEqualTo("1");
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            sql.execute("DROP DATABASE tenantdb");
        }
        settle(spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, true)));
    }

    @Test
    @Order(7)
    void aKilledPgBouncerIsSeenStoppedAndTheNextReconcileStartsOneAgainOnItsPort() throws Exception {
        int rw = port(LocalPooler.Kind.RW);
        assertThat(driver.observe(KEY).poolers()).extracting(p -> p.pool() + " " + p.port() + " " + p.state())
                .containsExactly("rw " + rw + " running", "ro " + port(LocalPooler.Kind.RO) + " running");
        ProcessHandle pgbouncer = pgbouncers().stream().filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains("pooler-rw"))
                .orElse(false)).findFirst().orElseThrow();
        new ProcessBuilder("kill", "-KILL", Long.toString(pgbouncer.pid())).start().waitFor();
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.observe(KEY).ready());
        assertThat(driver.observe(KEY).message()).contains("pooler rw is stopped");
        assertThat(settle(spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, true)))).anyMatch(s -> s.contains("pooler rw started on port " + rw));
        assertThat(driver.observe(KEY).ready()).isTrue();
        assertThat(pgbouncers()).hasSize(2);
        assertThat(psql(LocalPooler.Kind.RW, "app", APP_PASSWORD, "SELECT 1").output().strip()).isEqualTo("1");
    }

    @Test
    @Order(8)
    void aDatabaseMadeFromTemplate0AsARestoreMakesOneIsSeenWithoutTheLookupAndTheRepairInstallsIt() throws Exception {
        Endpoint primary = driver.primary(KEY).orElseThrow();
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            sql.execute("CREATE DATABASE restored OWNER app TEMPLATE template0");
        }
        // Through the pool, the new database cannot look its clients up yet; the instance says so (a repair follows).
        CommandResult before = ProcessRunner.run(List.of(PgBinaries.find(Optional.empty()).tool("psql"), "-XAtc", "SELECT 1", "host=127.0.0.1 port="
                + port(LocalPooler.Kind.RW) + " dbname=restored user=app sslmode=require"), Map.of("PGPASSWORD", APP_PASSWORD), root, Duration.ofSeconds(30));
        assertThat(before.exitCode()).isNotZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.observe(KEY).ready());
        assertThat(driver.observe(KEY).message()).contains("pooler rw cannot look clients up in a database made or restored since");
        assertThat(settle(spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, true)))).anyMatch(s -> s.contains("pooler rw"));
        assertThat(driver.observe(KEY).ready()).isTrue();
        CommandResult after = ProcessRunner.run(List.of(PgBinaries.find(Optional.empty()).tool("psql"), "-XAtc", "SELECT current_database()",
                "host=127.0.0.1 port=" + port(LocalPooler.Kind.RW) + " dbname=restored user=app sslmode=require"), Map.of("PGPASSWORD", APP_PASSWORD),
                root, Duration.ofSeconds(30));
        assertThat(after.output().strip()).as(after.output()).isEqualTo("restored");
    }

    @Test
    @Order(9)
    void aPoolerNoLongerAskedForIsStoppedItsPortFreedAndDeleteLeavesNoneRunning() {
        int rw = port(LocalPooler.Kind.RW);
        int ro = port(LocalPooler.Kind.RO);
        assertThat(settle(spec(new Pooler(true, Pooler.TRANSACTION, 1000, 20, false)))).anyMatch(s -> s.contains("pooler ro stopped and removed"));
        assertThat(listens(ro)).isFalse();
        assertThat(listens(rw)).isTrue();
        assertThat(settle(spec(null))).anyMatch(s -> s.contains("pooler rw stopped and removed"));
        assertThat(listens(rw)).isFalse();
        assertThat(LocalPooler.readPorts(root.resolve("local").resolve(KEY.namespace()).resolve(KEY.name()))).isEmpty();
        assertThat(pgbouncers()).isEmpty();
        settle(spec(new Pooler(true, Pooler.SESSION, 100, 10, false)));
        assertThat(pgbouncers()).hasSize(1);
        driver.delete(KEY);
        assertThat(pgbouncers()).isEmpty();
    }

    /** Whether anything accepts connections on the port (a port just closed may still be held by TIME_WAIT, never listened on). */
    private static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** PgBouncer processes reading a file under this test's root. */
    private List<ProcessHandle> pgbouncers() {
        return Processes.matching(argv -> !argv.isEmpty() && argv.get(0).endsWith("pgbouncer")
                && argv.stream().anyMatch(a -> a.startsWith(root.toString())));
    }
}
