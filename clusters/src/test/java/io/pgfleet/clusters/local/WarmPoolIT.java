package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.Processes;
import io.pgfleet.runtime.job.Step;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The local driver's warm pool, with real initdb and PostgreSQL: directories made ahead while the driver is idle, taken by
 * new primaries (which then serve with their instance's account and a password of their own) and made again in the
 * background; a maker SIGKILLed at a random moment leaves nothing that is handed out.
 */
class WarmPoolIT {

    private static final String CLASS = PostgresSpec.DEFAULT_STORAGE_CLASS;
    private static final ClusterSpec ONE = new ClusterSpec(false, "1Gi", 1, CLASS, Map.of(), 0, 0);

    @Test
    void newPrimariesTakeDirectoriesMadeAheadAndServeAsTheirOwnInstanceWithAPasswordOfTheirOwn() throws Exception {
        LocalSettings settings = settings("pgfleet-warm-pool-").warmPool(2);
        LocalClusterDriver driver = new LocalClusterDriver(settings);
        WarmPool pool = new WarmPool(settings);
        InstanceKey alice = new InstanceKey("tenant-a", "shop");
        InstanceKey bob = new InstanceKey("tenant-b", "shop");
        try {
            driver.prepare();
            await().atMost(Duration.ofMinutes(1)).until(() -> pool.ready(CLASS).size() == 2);
            for (Path entry : pool.ready(CLASS)) {
                assertThat(entry.resolve("data/PG_VERSION")).exists();
                assertThat(entry.resolve("data/postmaster.opts")).as("no server ever started in the pool").doesNotExist();
                assertThat(Files.getOwner(entry.resolve("data"), LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo(settings.poolAccount().name());
                assertThat(Files.getOwner(entry.resolve("password"), LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo(System.getProperty("user.name"));
            }

            List<String> aliceSteps = provision(driver, alice);
            assertThat(aliceSteps.get(0)).contains("initialised from the warm pool");
            List<String> bobSteps = provision(driver, bob);
            assertThat(bobSteps.get(0)).contains("initialised from the warm pool");
            assertThat(pool.ready(CLASS)).as("both taken, none made while the driver was busy").hasSizeLessThan(2);

            Endpoint a = driver.primary(alice).orElseThrow();
            Endpoint b = driver.primary(bob).orElseThrow();
            assertThat(a.password()).isNotEqualTo(b.password());
            assertThat(query(a, a.password(), "SELECT current_user")).isEqualTo("postgres");
            assertThat(query(b, b.password(), "SELECT current_user")).isEqualTo("postgres");
            assertThat(canConnect(a, b.password())).as("one instance's password opens only that instance").isFalse();
            LocalMember aliceMember = member(settings, alice);
            assertThat(Files.getOwner(aliceMember.dataDir(), LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo(aliceMember.osUser().name());
            if (settings.accountPerInstance()) {
                assertThat(aliceMember.osUser().name()).isNotEqualTo(settings.poolAccount().name());
                try (Stream<Path> files = Files.walk(aliceMember.dataDir())) {
                    assertThat(files.filter(f -> !owner(f).equals(aliceMember.osUser().name())).toList())
                            .as("nothing of the pool's account left in the instance's data").isEmpty();
                }
            }

            // Idle again, the driver makes the pool whole in the background.
            await().atMost(Duration.ofMinutes(1)).until(() -> pool.ready(CLASS).size() == 2);
        } finally {
            driver.close();
            driver.delete(alice);
            driver.delete(bob);
        }
    }

    @Test
    void anEntryWhoseMakerWasKilledAtARandomMomentIsRemovedAndNeverHandedOut() throws Exception {
        LocalSettings settings = settings("pgfleet-warm-pool-kill-").warmPool(1);
        WarmPool pool = new WarmPool(settings);
        Path dir = pool.dir(CLASS);
        // A predecessor's initdb in making-<id>, not this JVM's child (a killed service's initdb is an orphan):
        // SIGKILLed at a random moment, or left running.
        Files.createDirectories(dir);
        Path entry = dir.resolve("making-killed");
        LocalFiles.mkdir(entry, "rwx------");
        OsUser account = settings.poolAccount();
        account.ensureExists();
        account.own(entry);
        List<String> initdb = account.command(List.of(settings.binaries().tool("initdb"), "-D", entry.resolve("data").toString(),
                "-U", "postgres", "--no-locale"));
        new ProcessBuilder(List.of("setsid", "sh", "-c", String.join(" ", initdb) + " > /dev/null 2>&1 &")).start().waitFor();
        await().atMost(Duration.ofSeconds(20)).until(() -> !initdbs(entry).isEmpty());
        boolean kill = ThreadLocalRandom.current().nextBoolean();
        long moment = ThreadLocalRandom.current().nextLong(0, 800);
        await().pollDelay(Duration.ofMillis(moment)).until(() -> true);
        if (kill) {
            initdbs(entry).forEach(ProcessHandle::destroyForcibly);
        }
        // Taken, its removal cut short: a ready entry without its data.
        Path torn = dir.resolve("ready-torn");
        Files.createDirectories(torn);
        Files.writeString(torn.resolve("password"), "x\n");

        await().atMost(Duration.ofMinutes(1)).until(() -> {
            pool.fillOnce();
            return pool.ready(CLASS).size() == 1;
        });
        assertThat(entry).as("killed=" + kill + " after " + moment + " ms").doesNotExist();
        assertThat(torn).doesNotExist();
        assertThat(initdbs(entry)).isEmpty();
        Path ready = pool.ready(CLASS).get(0);
        assertThat(ready.resolve("data/global/pg_control")).exists();
        assertThat(ready.resolve("password")).exists();
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString()).toList()).containsExactly(ready.getFileName().toString());
        }
    }

    @Test
    void aDriverToldToStopWhileItFillsThePoolLeavesNothingRunning() throws Exception {
        LocalSettings settings = settings("pgfleet-warm-pool-stop-").warmPool(1);
        LocalClusterDriver driver = new LocalClusterDriver(settings);
        WarmPool pool = new WarmPool(settings);
        Path dir = pool.dir(CLASS);
        driver.prepare();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(10)).until(() -> !working(dir).isEmpty());
        driver.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> working(dir).isEmpty());
        // Stopped, not left to finish: initdb (told to stop) removed what it had made, and nothing became ready.
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                assertThat(entry.getFileName().toString()).startsWith("making-");
                assertThat(entry.resolve("data/global/pg_control")).doesNotExist();
            }
        }
    }

    /** The processes whose command line names something in the pool, or that work in it. */
    private static List<ProcessHandle> working(Path dir) {
        return ProcessHandle.allProcesses().filter(p -> Processes.commandLine(p.pid()).stream().anyMatch(a -> a.contains(dir.toString()))
                || cwd(p).startsWith(dir)).toList();
    }

    private static Path cwd(ProcessHandle process) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"));
        } catch (Exception e) {
            return Path.of("/nonexistent");
        }
    }

    private static LocalSettings settings(String prefix) throws Exception {
        Path root = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        return new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), OsUser.isRoot(), PgBinaries.find(Optional.empty()),
                Duration.ofSeconds(60));
    }

    /** Every step's message until the instance is ready. */
    private static List<String> provision(LocalClusterDriver driver, InstanceKey key) {
        List<String> steps = new ArrayList<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Step step = driver.apply(key, ONE);
            steps.add(step.message());
            return step.outcome() == Step.Outcome.DONE;
        });
        return steps;
    }

    private static LocalMember member(LocalSettings settings, InstanceKey key) {
        LocalInstance instance = new LocalInstance(key, settings.storageClassRoot(CLASS).resolve(key.namespace()).resolve(key.name()), settings);
        return instance.members().get(0);
    }

    private static List<ProcessHandle> initdbs(Path entry) {
        return ProcessHandle.allProcesses().filter(p -> {
            List<String> argv = Processes.commandLine(p.pid());
            return argv.stream().anyMatch(a -> Processes.programName(a).equals("initdb")) && argv.contains(entry.resolve("data").toString());
        }).toList();
    }

    private static String owner(Path file) {
        try {
            return Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (java.io.IOException e) {
            return "gone";
        }
    }

    private static boolean canConnect(Endpoint endpoint, String password) {
        try {
            query(endpoint, password, "SELECT 1");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static String query(Endpoint endpoint, String password, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), password); Statement s = c.createStatement();
             ResultSet row = s.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
