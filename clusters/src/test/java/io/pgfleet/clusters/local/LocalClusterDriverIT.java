package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.host.ProcessRunner;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import io.pgfleet.runtime.credentials.ScramVerifier;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local driver against real PostgreSQL processes, without the service around it. */
class LocalClusterDriverIT {

    @TempDir
    Path root;
    private LocalSettings settings;
    private LocalClusterDriver driver;
    private final List<InstanceKey> created = new ArrayList<>();

    @BeforeEach
    void driver() throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        settings = new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), PgBinaries.find(Optional.empty()), Duration.ofSeconds(60));
        driver = new LocalClusterDriver(settings);
    }

    @AfterEach
    void deleteInstances() {
        created.forEach(driver::delete);
    }

    private List<String> applyUntilSettled(InstanceKey key, ClusterSpec spec, Step.Outcome expected) {
        created.add(key);
        List<String> steps = new ArrayList<>();
        AtomicReference<Step> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Step step = driver.apply(key, spec);
                steps.add(step.outcome() + ": " + step.message());
                last.set(step);
                return step.outcome() != Step.Outcome.WAIT;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not settled; last steps:\n" + String.join("\n", steps.subList(Math.max(0, steps.size() - 8), steps.size())), e);
        }
        assertThat(last.get().outcome()).as(String.join("\n", steps)).isEqualTo(expected);
        return steps;
    }

    private static ClusterSpec spec(int replicas, int min, int max, Map<String, String> parameters) {
        return new ClusterSpec(false, "1Gi", replicas, "local", parameters, min, max);
    }

    @Test
    void aClusterIsCreatedChangedScaledRepairedAndDeleted() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-life");
        List<String> steps = applyUntilSettled(key, spec(3, 1, 2, Map.of("work_mem", "8MB", "max_connections", "60")), Step.Outcome.DONE);
        assertThat(steps).anyMatch(s -> s.contains("primary pg-life-1 initialised")).anyMatch(s -> s.contains("2 of 2 replicas created"));

        Endpoint primary = driver.primary(key).orElseThrow();
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            assertThat(show(sql, "synchronous_standby_names")).isEqualTo("ANY 2 (\"pg-life-2\", \"pg-life-3\")");
            assertThat(show(sql, "work_mem")).isEqualTo("8MB");
            assertThat(show(sql, "max_connections")).isEqualTo("60");
            assertThat(show(sql, "shared_preload_libraries")).isEqualTo("pg_stat_statements");
            assertThat(show(sql, "listen_addresses")).isEqualTo("127.0.0.1");
            try (ResultSet rows = sql.executeQuery("SELECT application_name, state, sync_state FROM pg_stat_replication ORDER BY 1")) {
                List<String> seen = new ArrayList<>();
                while (rows.next()) {
                    seen.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
                }
                assertThat(seen).containsExactly("pg-life-2 streaming quorum", "pg-life-3 streaming quorum");
            }
            // The driver's own roles, whose passwords are 192 random bits, have verifiers of few rounds (each connection
            // computes them again); what initdb read its verifier from is gone.
            try (ResultSet rows = sql.executeQuery("SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN ('"
                    + LocalInstance.SUPERUSER + "', '" + LocalInstance.REPLICATION_USER + "')")) {
                Map<String, String> verifiers = new TreeMap<>();
                while (rows.next()) {
                    verifiers.put(rows.getString(1), rows.getString(2));
                }
                assertThat(verifiers).containsOnlyKeys(LocalInstance.SUPERUSER, LocalInstance.REPLICATION_USER);
                assertThat(verifiers.values()).allSatisfy(v -> assertThat(v).startsWith("SCRAM-SHA-256$" + ScramVerifier.RANDOM_SECRET_ITERATIONS + ":"));
            }
            assertThat(root.resolve("local/tenant-a/pg-life/member-1/pwfile")).doesNotExist();
        }

        // A reload-only change and a restart-only change.
        steps = applyUntilSettled(key, spec(3, 1, 2, Map.of("work_mem", "16MB", "max_connections", "80")), Step.Outcome.DONE);
        assertThat(steps).anyMatch(s -> s.contains("restarted to apply [max_connections]"));
        assertThat(steps.stream().filter(s -> s.contains("restarted")).toList()).hasSize(3).first().asString().doesNotContain("pg-life-1");
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            assertThat(show(sql, "work_mem")).isEqualTo("16MB");
            assertThat(show(sql, "max_connections")).isEqualTo("80");
        }

        // Scale down to 2: the last replica goes, the quorum follows.
        applyUntilSettled(key, spec(2, 0, 1, Map.of("work_mem", "16MB", "max_connections", "80")), Step.Outcome.DONE);
        Observation observed = driver.observe(key);
        assertThat(observed.ready()).isTrue();
        assertThat(observed.members()).extracting(Member::name).containsExactly("pg-life-1", "pg-life-2");

        // A replica dies: observed degraded, repaired by applying again.
        LocalMember replica = new LocalInstance(key, root.resolve("local/tenant-a/pg-life"), null).members().get(1);
        ProcessHandle.of(pidOf(root.resolve("local/tenant-a/pg-life/member-2/data"))).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> !driver.observe(key).ready());
        assertThat(driver.observe(key).message()).contains("pg-life-2 is stopped");
        applyUntilSettled(key, spec(2, 0, 1, Map.of("work_mem", "16MB", "max_connections", "80")), Step.Outcome.DONE);
        assertThat(driver.observe(key).ready()).isTrue();
        assertThat(replica.index()).isEqualTo(2);

        // A value PostgreSQL refuses: FAILED with its message, and the running cluster keeps its settings.
        List<String> refused = applyUntilSettled(key, spec(2, 0, 1, Map.of("work_mem", "lots")), Step.Outcome.FAILED);
        assertThat(refused.get(refused.size() - 1)).contains("invalid value for parameter \"work_mem\": \"lots\"");
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            assertThat(show(sql, "work_mem")).isEqualTo("16MB");
        }

        driver.delete(key);
        assertThat(driver.observe(key).exists()).isFalse();
        assertThat(root.resolve("local/tenant-a/pg-life")).doesNotExist();
    }

    @Test
    void aConfigurationAKilledPredecessorWroteButNeverReloadedIsReloaded() throws Exception {
        // A quorum of one standby: the primary's synchronous_standby_names is in its managed file.
        InstanceKey key = new InstanceKey("tenant-a", "pg-unreloaded");
        applyUntilSettled(key, spec(2, 1, 1, Map.of()), Step.Outcome.DONE);
        Path managed = root.resolve("local/tenant-a/pg-unreloaded/member-1/data").resolve(MemberConfig.MANAGED_FILE);
        String written = Files.readString(managed);
        assertThat(written).contains("synchronous_standby_names");
        Endpoint primary = driver.primary(key).orElseThrow();
        // What a predecessor killed between writing the file and reloading leaves: the file as the planner wants it, the
        // server still on the value before.
        Files.writeString(managed, written.replaceAll("(?m)^synchronous_standby_names.*$", "synchronous_standby_names = ''"));
        try (Connection c = DriverManager.getConnection(primary.sessionUrl("postgres"), primary.sessionProperties());
             Statement sql = c.createStatement()) {
            sql.execute("SELECT pg_catalog.pg_reload_conf()");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (ResultSet r = sql.executeQuery("SHOW synchronous_standby_names")) {
                    r.next();
                    return r.getString(1).isEmpty();
                }
            });
        }
        // The driver's own held connection takes the reload now too (a backend reads the files when it next works).
        driver.observe(key);
        Files.writeString(managed, written);

        List<String> steps = applyUntilSettled(key, spec(2, 1, 1, Map.of()), Step.Outcome.DONE);
        try (Connection c = DriverManager.getConnection(primary.sessionUrl("postgres"), primary.sessionProperties());
             Statement sql = c.createStatement(); ResultSet r = sql.executeQuery("SHOW synchronous_standby_names")) {
            r.next();
            assertThat(r.getString(1)).as("the server took the file's quorum; steps: " + steps).isNotEmpty();
        }
    }

    @Test
    void applyingAgainToAReadyClusterChangesNothing() {
        InstanceKey key = new InstanceKey("tenant-a", "pg-again");
        applyUntilSettled(key, spec(1, 0, 0, Map.of()), Step.Outcome.DONE);
        long pid = pidOf(root.resolve("local/tenant-a/pg-again/member-1/data"));
        Step again = driver.apply(key, spec(1, 0, 0, Map.of()));
        assertThat(again.outcome()).isEqualTo(Step.Outcome.DONE);
        assertThat(pidOf(root.resolve("local/tenant-a/pg-again/member-1/data"))).isEqualTo(pid);
    }

    @Test
    void observingAgainReusesOneConnectionAndOutlivesARestartOfThePrimary() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-watch");
        applyUntilSettled(key, spec(1, 0, 0, Map.of()), Step.Outcome.DONE);
        Endpoint primary = driver.primary(key).orElseThrow();
        String observers = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
        for (int i = 0; i < 5; i++) {
            assertThat(driver.observe(key).ready()).isTrue();
        }
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement(); ResultSet rows = sql.executeQuery(observers)) {
            rows.next();
            assertThat(rows.getInt(1)).as("connections held by five observations").isEqualTo(1);
        }
        // The held connection ends with the server; the next observation opens another and still sees a ready primary.
        Path data = root.resolve("local/tenant-a/pg-watch/member-1/data");
        long before = pidOf(data);
        ProcessRunner.check(OsUser.forPostgres("nobody").command(List.of(PgBinaries.find(Optional.empty()).tool("pg_ctl"), "-D",
                data.toString(), "-l", data.getParent().resolve("server.log").toString(), "-m", "fast", "-w", "restart")), Map.of(), Path.of("/"),
                Duration.ofMinutes(1));
        assertThat(pidOf(data)).isNotEqualTo(before);
        assertThat(driver.observe(key).ready()).isTrue();
    }

    @Test
    void aMemberWhoseSocketLockNamesAPidThatIsNoLongerItsPostmasterStartsAgain() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-pids");
        applyUntilSettled(key, spec(1, 0, 0, Map.of()), Step.Outcome.DONE);
        Path data = root.resolve("local/tenant-a/pg-pids/member-1/data");
        String conf;
        try (java.util.stream.Stream<Path> files = Files.list(data)) {
            conf = files.filter(f -> f.getFileName().toString().endsWith(".conf")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(java.util.stream.Collectors.joining("\n"));
        }
        String socketDir = java.util.regex.Pattern.compile("(?m)^unix_socket_directories = '([^']+)'").matcher(conf).results()
                .reduce((a, b) -> b).orElseThrow().group(1);
        int port = driver.primary(key).orElseThrow().port();
        Path lock = Path.of(socketDir, ".s.PGSQL." + port + ".lock");
        long pid = pidOf(data);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();   // SIGKILL: the postmaster leaves its lock files
        io.pgfleet.host.Processes.awaitExit(pid, Duration.ofSeconds(30));
        // A data directory copied again (pg_basebackup) has no postmaster.pid: only the socket's lock file is left.
        Files.delete(data.resolve("postmaster.pid"));
        // Pids wrap (32768 here, threads included): the dead postmaster's pid may belong by now to another process of the
        // PostgreSQL account (another member's backend), and PostgreSQL takes a lock file naming a live pid of its own
        // account for another server's ("lock file ... already exists"). Here: a sleep of that account.
        Process holder = new ProcessBuilder(OsUser.forPostgres("nobody").command(List.of("sleep", "300"))).start();
        try {
            long other = await().atMost(Duration.ofSeconds(10)).until(() -> holder.descendants().filter(d -> d.info().command()
                    .map(c -> c.endsWith("sleep")).orElse(false)).map(ProcessHandle::pid).findFirst().orElse(0L), p -> p > 0);
            List<String> lines = new ArrayList<>(Files.readAllLines(lock));
            lines.set(0, Long.toString(other));
            Files.write(lock, lines);

            // Before: "member pg-pids-1 did not start: FATAL: lock file ... already exists", at every repair.
            List<String> steps = applyUntilSettled(key, spec(1, 0, 0, Map.of()), Step.Outcome.DONE);
            assertThat(steps).noneMatch(s -> s.contains("lock file"));
            assertThat(driver.observe(key).ready()).isTrue();
            assertThat(Files.readAllLines(lock).get(0)).isNotEqualTo(Long.toString(other));
        } finally {
            holder.descendants().forEach(ProcessHandle::destroyForcibly);
            holder.destroyForcibly();
        }
    }

    @Test
    void aPrimaryThatServedIsResumedAndNeverInitialisedAgain() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-resume");
        applyUntilSettled(key, spec(2, 0, 1, Map.of()), Step.Outcome.DONE);
        Endpoint primary = driver.primary(key).orElseThrow();
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            sql.execute("CREATE TABLE written_before_the_crash (id int)");
            sql.execute("INSERT INTO written_before_the_crash VALUES (42)");
        }
        // What a predecessor killed right before it recorded the members as complete leaves behind: a primary that
        // served (and was written to) with neither marker, stopped; a replica that was copied but never started.
        Path instance = root.resolve("local/tenant-a/pg-resume");
        ProcessHandle.of(pidOf(instance.resolve("member-1/data"))).orElseThrow().destroyForcibly();
        ProcessHandle.of(pidOf(instance.resolve("member-2/data"))).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> !driver.observe(key).ready());
        for (String marker : List.of("member-1/complete", "member-1/initialised", "member-2/complete")) {
            Files.deleteIfExists(instance.resolve(marker));
        }

        List<String> steps = applyUntilSettled(key, spec(2, 0, 1, Map.of()), Step.Outcome.DONE);
        assertThat(steps).noneMatch(s -> s.contains("initdb")).noneMatch(s -> s.contains("pg_basebackup"));
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement(); ResultSet rows = sql.executeQuery("SELECT id FROM written_before_the_crash")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(42);
        }
        assertThat(driver.observe(key).ready()).isTrue();
    }

    @Test
    void anInitdbAKilledPredecessorLeftRunningIsStoppedBeforeThePrimaryIsMadeAgain() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-leftover");
        created.add(key);
        // What a provisioner killed during the primary's initdb leaves: the initdb it started, still running, no longer
        // its child (a SIGKILL ends the JVM, not the programs it started). setsid -f detaches it from this JVM likewise.
        LocalInstance instance = new LocalInstance(key, root.resolve("local/tenant-a/pg-leftover"), settings);
        instance.ensureCreated();
        LocalMember member = instance.member(1);
        member.wipe();
        String dataDir = member.dataDir().toString();
        List<String> initdb = new ArrayList<>(List.of("setsid", "-f"));
        initdb.addAll(instance.osUser().command(List.of(settings.binaries().tool("initdb"), "-D", dataDir, "-U", "postgres",
                "--auth-local=trust", "-E", "UTF8", "--no-locale")));
        new ProcessBuilder(initdb).redirectErrorStream(true).redirectOutput(root.resolve("predecessor-initdb.log").toFile()).start().waitFor();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> !programsOn(dataDir, "initdb").isEmpty());
        List<ProcessHandle> predecessor = programsOn(dataDir, "initdb");

        Step first = driver.apply(key, spec(1, 0, 0, Map.of()));
        assertThat(first.message()).as(first.toString()).startsWith("stopped [initdb (pid ").endsWith("left running on pg-leftover-1 by a stopped predecessor");
        assertThat(predecessor).noneMatch(p -> io.pgfleet.host.Processes.isRunning(p.pid()));

        List<String> steps = applyUntilSettled(key, spec(1, 0, 0, Map.of()), Step.Outcome.DONE);
        assertThat(steps).anyMatch(s -> s.contains("primary pg-leftover-1 initialised (initdb)"));
        assertThat(programsOn(dataDir, "initdb")).isEmpty();
        Endpoint primary = driver.primary(key).orElseThrow();
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            sql.execute("CREATE TABLE made_once (id int)");
        }
        assertThat(driver.observe(key).ready()).isTrue();
    }

    /** The processes whose command line runs {@code program} on {@code dataDir}, read from /proc apart from the driver's own reading. */
    private static List<ProcessHandle> programsOn(String dataDir, String program) {
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                List<String> argv = List.of(Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).split("\0"));
                return argv.contains(dataDir) && argv.stream().anyMatch(a -> a.endsWith("/" + program));
            } catch (Exception e) {
                return false;
            }
        }).toList();
    }

    private static String show(Statement sql, String name) throws Exception {
        try (ResultSet rows = sql.executeQuery("SHOW " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static long pidOf(Path dataDir) {
        try {
            return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
