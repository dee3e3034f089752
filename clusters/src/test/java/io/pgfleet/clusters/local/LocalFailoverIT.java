package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import org.slf4j.LoggerFactory;
import io.pgfleet.host.Processes;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failover and the quorum on real PostgreSQL processes, through the local driver alone; outcomes checked with psql. */
class LocalFailoverIT {

    @TempDir
    Path root;
    private LocalClusterDriver driver;
    private final List<InstanceKey> created = new ArrayList<>();

    @BeforeEach
    void driver() throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        driver = new LocalClusterDriver(new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), PgBinaries.find(Optional.empty()),
                Duration.ofSeconds(60)).failoverDelay(Duration.ZERO));
    }

    @AfterEach
    void deleteInstances() {
        created.forEach(driver::delete);
    }

    private List<String> settle(InstanceKey key, ClusterSpec spec) {
        if (!created.contains(key)) {
            created.add(key);
        }
        List<String> steps = new ArrayList<>();
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Step step = driver.apply(key, spec);
                steps.add(step.outcome() + ": " + step.message());
                assertThat(step.outcome()).as(String.join("\n", steps)).isNotEqualTo(Step.Outcome.FAILED);
                return step.outcome() == Step.Outcome.DONE;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not settled; steps:\n" + String.join("\n", steps.subList(0, Math.min(12, steps.size()))) + "\n...\n"
                    + String.join("\n", steps.subList(Math.max(0, steps.size() - 5), steps.size())) + "\n" + logs(key), e);
        }
        return steps;
    }

    private static ClusterSpec spec(int replicas, int min, int max) {
        return new ClusterSpec(false, "1Gi", replicas, "local", Map.of(), min, max);
    }

    @Test
    void aKilledPrimaryIsReplacedByAStandbyHoldingEveryAcknowledgedCommitAndComesBackAsAStandby() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-fo");
        settle(key, spec(3, 1, 2));
        Endpoint old = driver.primary(key).orElseThrow();
        sql(old, "CREATE TABLE acked (id int PRIMARY KEY)");

        // A client commits rows one by one; a row counts once its COMMIT returned (synchronous: ANY 2 of the standbys).
        List<Integer> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = writer(old, acknowledged, stop);
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 200 + new java.util.Random().nextInt(200));
        ProcessHandle.of(pidOf(root.resolve("local/tenant-a/pg-fo/member-1/data"))).orElseThrow().destroyForcibly();   // SIGKILL
        writer.join(30_000);
        stop.set(true);

        List<String> steps = settle(key, spec(3, 1, 2));
        assertThat(steps).anyMatch(s -> s.contains("promoted in place of pg-fo-1")).anyMatch(s -> s.contains("pg-fo-1 rewound onto"));
        Endpoint now = driver.primary(key).orElseThrow();
        assertThat(now.port()).isNotEqualTo(old.port());
        assertThat(psql(now, "SELECT count(*) FROM acked WHERE id <= " + acknowledged.get(acknowledged.size() - 1)))
                .isEqualTo(Integer.toString(acknowledged.size()));
        assertThat(psql(now, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        // The old primary is a standby of the new one, and takes no writes.
        assertThat(psql(new Endpoint("127.0.0.1", old.port(), old.user(), old.password(), old.caFile()), "SELECT pg_is_in_recovery()"))
                .isEqualTo("t");
        Observation observed = driver.observe(key);
        assertThat(observed.ready()).as(observed.message()).isTrue();
        assertThat(observed.members()).filteredOn(m -> m.name().equals("pg-fo-1")).extracting(Member::role, Member::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("replica", "streaming"));
        assertThat(psql(now, "SELECT string_agg(slot_name || ':' || active, ',' ORDER BY slot_name) FROM pg_replication_slots"))
                .contains(":t").doesNotContain(now.port() == portOf(key, 2) ? "member_2" : "member_3");
        sql(now, "INSERT INTO acked VALUES (-1)");
    }

    @Test
    void aFrozenPrimaryIsKilledAndReplacedWithinSecondsAndNeverWritesAgainWhenItWouldResume() throws Exception {
        // The defaults: given up after 10 s without an answer, each look bounded by 2 s.
        InstanceKey key = new InstanceKey("tenant-a", "pg-hung");
        settle(key, spec(3, 1, 2));
        Endpoint old = driver.primary(key).orElseThrow();
        sql(old, "CREATE TABLE acked (id int PRIMARY KEY)");
        List<Integer> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        writer(old, acknowledged, stop);
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 100 + new java.util.Random().nextInt(200));
        // Every 200 ms, how many members say they take writes (pg_is_in_recovery() false), each asked with a 1 s bound.
        List<Integer> ports = List.of(portOf(key, 1), portOf(key, 2), portOf(key, 3));
        List<Integer> writable = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong frozenAt = new AtomicLong();
        AtomicLong otherWritableAt = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                List<Integer> taking = ports.stream().filter(port -> takesWrites(old, port)).toList();
                writable.add(taking.size());
                if (frozenAt.get() != 0 && otherWritableAt.get() == 0 && taking.stream().anyMatch(port -> port != old.port())) {
                    otherWritableAt.set(System.nanoTime());
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
        });
        sampler.setDaemon(true);
        sampler.start();

        List<Long> frozen = freeze(root.resolve("local/tenant-a/pg-hung/member-1/data"));
        frozenAt.set(System.nanoTime());
        List<String> steps = settle(key, spec(3, 1, 2));
        stop.set(true);
        assertThat(steps).anyMatch(s -> s.contains("pg-hung-1 does not answer"))
                .anyMatch(s -> s.contains("promoted in place of pg-hung-1 (the primary did not answer for"));
        Endpoint now = driver.primary(key).orElseThrow();
        sql(now, "INSERT INTO acked VALUES (-1)");
        long settledAfter = (System.nanoTime() - frozenAt.get()) / 1_000_000;
        long writableAfter = (otherWritableAt.get() - frozenAt.get()) / 1_000_000;
        // Every frozen process was killed, so resuming them finds nothing to resume.
        signal("-CONT", frozen);
        assertThat(frozen).noneMatch(Processes::isRunning);
        int samples = writable.size();
        // 25 samples more after SIGCONT (5 s at least): the old primary never takes a write again. Its frozen processes are
        // gone (above), so what could write is a member the driver started; the driver makes no step after the settle.
        await().atMost(Duration.ofMinutes(1)).until(() -> writable.size() >= samples + 25);
        sampling.set(false);
        sampler.join(10_000);
        assertThat(writable).as("writable members at each sample").isNotEmpty().allMatch(count -> count <= 1);
        assertThat(otherWritableAt.get()).as("another member took writes").isNotZero();
        // Within seconds, not minutes: the bound catches a stalled replacement, not a slow machine (a clean-clone run whose
        // modules ran beside the cli's chaos drill took 17961 ms; 12.8 s is usual). bench/failover.sh measures the time.
        assertThat(writableAfter).as("ms from the freeze until another member took writes").isLessThan(30_000);
        assertThat(psql(now, "SELECT count(*) FROM acked WHERE id BETWEEN 0 AND " + acknowledged.get(acknowledged.size() - 1)))
                .isEqualTo(Integer.toString(acknowledged.size()));
        assertThat(psql(now, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        assertThat(psql(new Endpoint("127.0.0.1", old.port(), old.user(), old.password(), old.caFile()), "SELECT pg_is_in_recovery()"))
                .as("the former primary, rewound").isEqualTo("t");
        LoggerFactory.getLogger(LocalFailoverIT.class).info("frozen primary replaced; another member took writes {} ms after the freeze, "
                + "every member settled after {} ms; {} samples, at most one writable member in each", writableAfter, settledAfter, writable.size());
    }

    /** Whether the member on this port answers within a second that it is not in recovery. */
    private static boolean takesWrites(Endpoint as, int port) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=1&loginTimeout=1"
                + "&socketTimeout=1&sslmode=disable", as.user(), as.password()); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("SELECT NOT pg_is_in_recovery()")) {
            return row.next() && row.getBoolean(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Test
    void aFrozenStandbyIsLetGoSoThatWritesGoOnAndCountsAgainOnceItStreams() throws Exception {
        driver = new LocalClusterDriver(new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), PgBinaries.find(Optional.empty()),
                Duration.ofSeconds(60)).failoverDelay(Duration.ZERO).unresponsiveAfter(Duration.ofSeconds(5)));
        InstanceKey key = new InstanceKey("tenant-a", "pg-lag");
        ClusterSpec spec = spec(3, 1, 2);
        settle(key, spec);
        Endpoint primary = driver.primary(key).orElseThrow();
        assertThat(psql(primary, "SHOW synchronous_standby_names")).startsWith("ANY 2 (");
        sql(primary, "CREATE TABLE acked (id int PRIMARY KEY)");
        List<Integer> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = writer(primary, acknowledged, stop);
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 100);

        List<Long> frozen = freeze(root.resolve("local/tenant-a/pg-lag/member-2/data"));
        int before = acknowledged.size();
        // What the provisioner's repair does: the driver's steps, one after the other.
        Thread repair = new Thread(() -> {
            while (!stop.get()) {
                try {
                    driver.apply(key, spec);
                } catch (RuntimeException e) {
                    // a step that failed is taken again
                }
            }
        });
        repair.setDaemon(true);
        repair.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 100);
            assertThat(psql(primary, "SHOW synchronous_standby_names")).startsWith("ANY 1 (");
        } finally {
            signal("-CONT", frozen);
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> psql(primary, "SHOW synchronous_standby_names").startsWith("ANY 2 ("));
        stop.set(true);
        repair.join(120_000);
        writer.join(30_000);
        settle(key, spec);
        assertThat(psql(primary, "SELECT count(*) FROM acked")).isEqualTo(Integer.toString(acknowledged.size()));
    }

    /** A client committing rows one by one into {@code acked}; a row counts once its COMMIT returned. */
    private static Thread writer(Endpoint endpoint, List<Integer> acknowledged, AtomicBoolean stop) {
        Thread writer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password());
                 Statement s = c.createStatement()) {
                for (int i = 0; !stop.get(); i++) {
                    s.execute("INSERT INTO acked VALUES (" + i + ")");
                    acknowledged.add(i);
                }
            } catch (SQLException e) {
                // the primary died under it
            }
        });
        writer.setDaemon(true);
        writer.start();
        return writer;
    }

    /** A member's postmaster and every process under it stopped with SIGSTOP (a storage stall, a hypervisor pause); their pids. */
    private static List<Long> freeze(Path data) throws Exception {
        long postmaster = pidOf(data);
        List<Long> frozen = new ArrayList<>(List.of(postmaster));
        ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> frozen.add(p.pid()));
        signal("-STOP", frozen);
        return frozen;
    }

    private static void signal(String signal, List<Long> pids) {
        List<String> argv = new ArrayList<>(List.of("kill", signal));
        pids.forEach(pid -> argv.add(Long.toString(pid)));
        ProcessRunner.run(argv, Map.of(), Path.of("/"), Duration.ofSeconds(10));   // some may have gone already
    }

    @Test
    void aPrimaryWhoseDataDirectoryIsGoneIsFencedReplacedAndCopiedAgain() throws Exception {
        driver = new LocalClusterDriver(new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), PgBinaries.find(Optional.empty()),
                Duration.ofSeconds(60)).failoverDelay(Duration.ofMinutes(10)));
        InstanceKey key = new InstanceKey("tenant-a", "pg-gone");
        settle(key, spec(2, 1, 1));
        Endpoint old = driver.primary(key).orElseThrow();
        sql(old, "CREATE TABLE kept AS SELECT 42 AS answer");
        Path data = root.resolve("local/tenant-a/pg-gone/member-1/data");
        long pid = pidOf(data);
        ProcessRunner.check(List.of("rm", "-rf", data.toString()), Map.of(), Path.of("/"), Duration.ofMinutes(1));

        List<String> steps = settle(key, spec(2, 1, 1));
        assertThat(steps).anyMatch(s -> s.contains("data directory is gone or damaged"));
        assertThat(io.pgfleet.host.Processes.isRunning(pid)).as("the old postmaster is stopped").isFalse();
        Endpoint now = driver.primary(key).orElseThrow();
        assertThat(psql(now, "SELECT answer FROM kept")).isEqualTo("42");
        assertThat(psql(new Endpoint("127.0.0.1", old.port(), old.user(), old.password(), old.caFile()), "SELECT answer FROM kept"))
                .isEqualTo("42");
        assertThat(driver.observe(key).ready()).isTrue();
    }

    @Test
    void aStandbyWhoseDataDirectoryIsGoneIsFencedAndCopiedAgain() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-lost");
        settle(key, spec(2, 1, 1));
        Endpoint primary = driver.primary(key).orElseThrow();
        sql(primary, "CREATE TABLE kept AS SELECT 42 AS answer");
        // The standby's disk is lost while it runs: its data directory is gone at once (a rename), then removed.
        Path data = root.resolve("local/tenant-a/pg-lost/member-2/data");
        long pid = pidOf(data);
        Path lost = data.resolveSibling("data.lost");
        Files.move(data, lost);
        ProcessRunner.check(List.of("rm", "-rf", lost.toString()), Map.of(), Path.of("/"), Duration.ofMinutes(1));

        // Before the fix: the repair tried to issue its certificate into the missing directory, failed, and never copied it.
        List<String> steps = settle(key, spec(2, 1, 1));
        assertThat(steps).anyMatch(s -> s.contains("pg-lost-2 is copied again from pg-lost-1 (its data directory is gone or damaged)"));
        assertThat(io.pgfleet.host.Processes.isRunning(pid)).as("the standby's old postmaster is stopped").isFalse();
        assertThat(driver.primary(key).orElseThrow().port()).isEqualTo(primary.port());
        Endpoint standby = new Endpoint("127.0.0.1", portOf(key, 2), primary.user(), primary.password(), primary.caFile());
        assertThat(psql(standby, "SELECT pg_is_in_recovery()")).isEqualTo("t");
        assertThat(psql(standby, "SELECT answer FROM kept")).isEqualTo("42");
        assertThat(driver.observe(key).ready()).isTrue();
    }

    @Test
    void aSwitchoverWithoutAStandbyThatStreamsIsRefusedAfterItsWaitAndTheInstanceIsLeftAsItWas() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-nosw");
        ClusterSpec spec = spec(2, 1, 1);
        settle(key, spec);
        Endpoint primary = driver.primary(key).orElseThrow();
        ProcessHandle.of(pidOf(root.resolve("local/tenant-a/pg-nosw/member-2/data"))).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> psql(primary, "SELECT count(*) FROM pg_stat_replication").equals("0"));
        Step first = driver.switchover(key, spec, "pg-nosw-1", Optional.empty());
        assertThat(first.outcome()).isEqualTo(Step.Outcome.WAIT);
        assertThat(first.message()).isEqualTo("a standby that streams");
        // What the waiting step leaves after its 30 s (written back in time, not waited for): the next look refuses.
        Files.writeString(root.resolve("local/tenant-a/pg-nosw/member-1/switchover-waiting"),
                java.time.Instant.now().minus(LocalSwitchover.STREAMING_WAIT).minusSeconds(1) + "\n");
        Step refused = driver.switchover(key, spec, "pg-nosw-1", Optional.empty());
        assertThat(refused.outcome()).isEqualTo(Step.Outcome.FAILED);
        assertThat(refused.message()).isEqualTo("no switchover: waited 30s for a standby that streams; pg-nosw-1 stays the primary");
        assertThat(root.resolve("local/tenant-a/pg-nosw/member-1/switchover-waiting")).doesNotExist();
        assertThat(psql(primary, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        settle(key, spec);
        assertThat(driver.primary(key).orElseThrow().port()).isEqualTo(primary.port());
    }

    @Test
    void aPrimaryThatCannotStartIsGivenItsDelayThenReplaced() throws Exception {
        driver = new LocalClusterDriver(new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), PgBinaries.find(Optional.empty()),
                Duration.ofSeconds(60)).failoverDelay(Duration.ofSeconds(3)));
        InstanceKey key = new InstanceKey("tenant-a", "pg-stuck");
        settle(key, spec(2, 1, 1));
        Path data = root.resolve("local/tenant-a/pg-stuck/member-1/data");
        // A setting PostgreSQL refuses at start, then the postmaster killed: it cannot come back.
        Files.writeString(data.resolve("postgresql.auto.conf"), "shared_buffers = 'lots'\n", java.nio.file.StandardOpenOption.APPEND);
        ProcessHandle.of(pidOf(data)).orElseThrow().destroyForcibly();

        List<String> steps = settle(key, spec(2, 1, 1));
        assertThat(steps).anyMatch(s -> s.startsWith("WAIT: member pg-stuck-1 did not start") && s.contains("a standby takes over"))
                .anyMatch(s -> s.contains("pg-stuck-2 promoted in place of pg-stuck-1 (the primary did not come back within 3s)"));
        assertThat(psql(driver.primary(key).orElseThrow(), "SELECT pg_is_in_recovery()")).isEqualTo("f");
        assertThat(driver.observe(key).ready()).isTrue();
    }

    @Test
    void aSwitchoverWhosePredecessorWasKilledAfterMarkingItGoesOnFromTheMark() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-sw");
        ClusterSpec spec = spec(3, 1, 1);
        settle(key, spec);
        Endpoint old = driver.primary(key).orElseThrow();
        sql(old, "CREATE TABLE kept AS SELECT generate_series(1, 50) AS id");
        // What a killed predecessor leaves: the mark naming member 3, the primary still running.
        Files.writeString(root.resolve("local/tenant-a/pg-sw/member-1/switchover"), "3 " + java.time.Instant.now() + "\n");
        List<String> steps = switchOver(key, spec, "pg-sw-1", Optional.empty());
        assertThat(steps.get(0)).contains("pg-sw-1 shutting down for the switchover to pg-sw-3");
        assertThat(driver.observe(key).members().get(0).name()).isEqualTo("pg-sw-3");
        assertThat(psql(driver.primary(key).orElseThrow(), "SELECT count(*) FROM kept")).isEqualTo("50");
        assertThat(psql(new Endpoint("127.0.0.1", old.port(), old.user(), old.password(), old.caFile()), "SELECT pg_is_in_recovery()"))
                .isEqualTo("t");
    }

    @Test
    void theQuorumFollowsTheStandbysThatStreamAndNeverGoesBelowTheMinimum() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-q");
        settle(key, spec(5, 2, 3));
        Endpoint primary = driver.primary(key).orElseThrow();
        assertThat(psql(primary, "SHOW synchronous_standby_names")).startsWith("ANY 3 (");
        for (int member : new int[] {4, 5}) {
            ProcessHandle.of(pidOf(root.resolve("local/tenant-a/pg-q/member-" + member + "/data"))).orElseThrow().destroyForcibly();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> psql(primary, "SELECT count(*) FROM pg_stat_replication").equals("2"));
        // The repair's first step lowers q to what streams (2, the minimum); commits go on while two standbys are down.
        Step first = driver.apply(key, spec(5, 2, 3));
        assertThat(first.message()).contains("configuration of 1 member updated");
        assertThat(psql(primary, "SHOW synchronous_standby_names")).startsWith("ANY 2 (");
        assertThat(psql(primary, "SET statement_timeout = '10s'; CREATE TABLE goes_on (); SELECT 'committed'")).isEqualTo("committed");
        settle(key, spec(5, 2, 3));
        assertThat(psql(primary, "SHOW synchronous_standby_names")).startsWith("ANY 3 (");
    }

    @Test
    void aStandbyLeftBehindCatchesUpThroughItsSlotAndIsCopiedAgainOnceTheSlotLostItsWal() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-slot");
        ClusterSpec spec = new ClusterSpec(false, "1Gi", 2, "local", Map.of("wal_keep_size", "16MB", "max_slot_wal_keep_size", "160MB"), 0, 1);
        settle(key, spec);
        Endpoint primary = driver.primary(key).orElseThrow();
        Path standbyData = root.resolve("local/tenant-a/pg-slot/member-2/data");

        // Down while about 40 MB of WAL pass, and three segment switches (more than wal_keep_size, within the slot's limit): the slot keeps it.
        ProcessHandle.of(pidOf(standbyData)).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> psql(primary, "SELECT count(*) FROM pg_stat_replication").equals("0"));
        assertThat(driver.apply(key, spec).message()).contains("configuration of 1 member updated");   // q 1 → 0: commits go on
        writeWal(primary, "first", 40);
        assertThat(psql(primary, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'member_2'")).isIn("reserved", "extended");
        List<String> steps = settle(key, spec);
        assertThat(steps).noneMatch(s -> s.contains("copied again"));
        Endpoint standby = new Endpoint("127.0.0.1", portOf(key, 2), primary.user(), primary.password(), primary.caFile());
        await().atMost(Duration.ofSeconds(30)).until(() -> psql(standby, "SELECT count(*) FROM first").equals(psql(primary, "SELECT count(*) FROM first")));

        // Down while more than the slot may keep passes: the slot is lost, the standby is copied again.
        ProcessHandle.of(pidOf(standbyData)).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> psql(primary, "SELECT count(*) FROM pg_stat_replication").equals("0"));
        driver.apply(key, spec);
        writeWal(primary, "second", 240);
        assertThat(psql(primary, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'member_2'")).isEqualTo("lost");
        steps = settle(key, spec);
        assertThat(steps).anyMatch(s -> s.contains("pg-slot-2 is copied again") && s.contains("replication slot lost WAL"));
        assertThat(psql(standby, "SELECT count(*) FROM second")).isEqualTo(psql(primary, "SELECT count(*) FROM second"));
        // The new copy streams through a new slot of the same name.
        await().atMost(Duration.ofSeconds(30)).until(() -> psql(primary, "SELECT active FROM pg_replication_slots WHERE slot_name = 'member_2'")
                .equals("t"));
    }

    @Test
    void aTenantsPlantsRunInNoneOfTheDriversSessionsThroughHealthChecksSwitchoverAndFailover() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "pg-plant");
        ClusterSpec spec = spec(3, 1, 1);
        settle(key, spec);
        Endpoint primary = driver.primary(key).orElseThrow();
        // The tenant's admin as a document makes one: a login with CREATEDB and CREATEROLE, not a superuser, owning its database.
        sql(primary, "CREATE ROLE shop_owner LOGIN CREATEDB CREATEROLE PASSWORD 'tenant-secret'");
        sql(primary, "CREATE DATABASE shop OWNER shop_owner");
        Endpoint tenant = new Endpoint(primary.host(), primary.port(), "shop_owner", "tenant-secret", primary.caFile());
        // In its own database: a gate that records who ran it and tries to make the tenant superuser, behind every function and
        // catalogue view the driver's SQL names, and the database's search_path putting public first.
        String gate = "CREATE TABLE public.ran (who text); GRANT INSERT ON public.ran TO PUBLIC;"
                + "CREATE FUNCTION public.gate() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.ran VALUES (current_user);"
                + " BEGIN EXECUTE 'ALTER ROLE shop_owner SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END; RETURN true; END $$;";
        List<String> shadows = List.of(
                "CREATE FUNCTION public.pg_is_in_recovery() RETURNS boolean LANGUAGE sql AS 'SELECT public.gate()'",
                "CREATE FUNCTION public.pg_current_wal_lsn() RETURNS pg_lsn LANGUAGE sql AS 'SELECT public.gate(); SELECT ''0/0''::pg_lsn'",
                "CREATE FUNCTION public.pg_last_wal_replay_lsn() RETURNS pg_lsn LANGUAGE sql AS 'SELECT public.gate(); SELECT ''0/0''::pg_lsn'",
                "CREATE FUNCTION public.pg_promote(boolean, integer) RETURNS boolean LANGUAGE sql AS 'SELECT public.gate()'",
                "CREATE FUNCTION public.pg_reload_conf() RETURNS boolean LANGUAGE sql AS 'SELECT public.gate()'",
                "CREATE VIEW public.pg_stat_replication AS SELECT * FROM pg_catalog.pg_stat_replication WHERE public.gate()",
                "CREATE VIEW public.pg_replication_slots AS SELECT * FROM pg_catalog.pg_replication_slots WHERE public.gate()",
                "CREATE VIEW public.pg_settings AS SELECT * FROM pg_catalog.pg_settings WHERE public.gate()");
        sqlAs(tenant, "shop", gate + String.join(";", shadows) + "; ALTER DATABASE shop SET search_path = public, pg_catalog");
        // In the database the driver opens its sessions on, every way to plant is refused (there, with no gate to call).
        for (String plant : shadows) {
            assertRefused(tenant, plant.replace("public.gate()", "true"));
        }
        assertRefused(tenant, "ALTER DATABASE postgres SET search_path = public, pg_catalog");
        assertRefused(tenant, "ALTER ROLE " + primary.user() + " SET search_path = public, pg_catalog");
        assertRefused(tenant, "ALTER ROLE " + primary.user() + " IN DATABASE shop SET search_path = public, pg_catalog");
        assertRefused(tenant, "CREATE SCHEMA \"$user\"");
        assertRefused(tenant, "CREATE FUNCTION public.gate() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$");

        // Health checks, a switchover, a failover and the repair that follows: none runs the tenant's code as pgfleet.
        assertThat(driver.observe(key).ready()).isTrue();
        switchOver(key, spec, "pg-plant-1", Optional.of("pg-plant-2"));
        settle(key, spec);
        Endpoint second = driver.primary(key).orElseThrow();
        assertThat(second.port()).isEqualTo(portOf(key, 2));
        ProcessHandle.of(pidOf(root.resolve("local/tenant-a/pg-plant/member-2/data"))).orElseThrow().destroyForcibly();
        List<String> steps = settle(key, spec);
        assertThat(steps).anyMatch(s -> s.contains("promoted in place of pg-plant-2"));
        Endpoint now = driver.primary(key).orElseThrow();
        assertThat(driver.observe(key).ready()).isTrue();

        assertThat(psql(now, "SELECT rolsuper FROM pg_roles WHERE rolname = 'shop_owner'")).isEqualTo("f");
        try (Connection c = DriverManager.getConnection(now.jdbcUrl("shop"), now.user(), now.password());
             ResultSet who = c.createStatement().executeQuery("SELECT count(*) FROM public.ran WHERE who <> 'shop_owner'")) {
            assertThat(who.next()).isTrue();
            assertThat(who.getInt(1)).as("times the tenant's gate ran as another role").isZero();
        }
    }

    /** The switchover's steps until it is done; none may fail. */
    private List<String> switchOver(InstanceKey key, ClusterSpec spec, String from, Optional<String> to) {
        List<String> steps = new ArrayList<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Step step = driver.switchover(key, spec, from, to);
            steps.add(step.outcome() + ": " + step.message());
            assertThat(step.outcome()).as(String.join("\n", steps)).isNotEqualTo(Step.Outcome.FAILED);
            return step.outcome() == Step.Outcome.DONE;
        });
        return steps;
    }

    private static void sqlAs(Endpoint endpoint, String database, String statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl(database), endpoint.user(), endpoint.password());
             Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    private static void assertRefused(Endpoint tenant, String statement) {
        try {
            sqlAs(tenant, "postgres", statement);
            throw new AssertionError("the tenant could run in postgres: " + statement);
        } catch (SQLException refused) {
            assertThat(refused.getSQLState()).as(statement + ": " + refused.getMessage()).isIn("42501", "3F000");
        }
    }

    /** About {@code megabytes} of WAL in a new table, the segments switched and a checkpoint made (which removes what nothing keeps). */
    private static void writeWal(Endpoint endpoint, String table, int megabytes) throws SQLException {
        sql(endpoint, "CREATE TABLE " + table + " AS SELECT g AS id, repeat('x', 900) AS filler FROM generate_series(1, " + megabytes * 1000 + ") g");
        for (int i = 0; i < 3; i++) {
            sql(endpoint, "SELECT pg_switch_wal()");
            sql(endpoint, "CHECKPOINT");
        }
    }

    /** The last lines of every member's server log. */
    private String logs(InstanceKey key) {
        StringBuilder text = new StringBuilder();
        try (var dirs = Files.list(root.resolve("local").resolve(key.namespace()).resolve(key.name()))) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("member-")).sorted().toList()) {
                List<String> lines = Files.exists(dir.resolve("server.log")) ? Files.readAllLines(dir.resolve("server.log")) : List.of();
                text.append("== ").append(dir.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()))).append('\n');
            }
        } catch (java.io.IOException e) {
            text.append(e);
        }
        return text.toString();
    }

    private int portOf(InstanceKey key, int index) {
        return new LocalInstance(key, root.resolve("local").resolve(key.namespace()).resolve(key.name()), null).ports().get(index);
    }

    private static void sql(Endpoint endpoint, String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password());
             Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** The one value psql prints for this query (an independent client). */
    private static String psql(Endpoint endpoint, String query) {
        return ProcessRunner.check(List.of("psql", "-h", endpoint.host(), "-p", Integer.toString(endpoint.port()), "-U", endpoint.user(),
                "-d", "postgres", "-qAtc", query), Map.of("PGPASSWORD", endpoint.password()), Path.of("/"), Duration.ofMinutes(1)).output().strip();
    }

    private static long pidOf(Path data) throws Exception {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }
}
