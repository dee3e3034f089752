package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two tenants on one machine, the driver run as root with an account per instance: a superuser of one instance (what a
 * tenant holds where the policy allows superusers, and what a tenant who escalated holds) reads none of the other's
 * files — not with pg_read_file, COPY FROM nor a program it runs with COPY TO PROGRAM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstanceIsolationIT {

    private static final InstanceKey ALICE = new InstanceKey("tenant-a", "shop");
    private static final InstanceKey BOB = new InstanceKey("tenant-b", "shop");
    private static final ClusterSpec ONE = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0);

    private Path root;
    private LocalSettings settings;
    private LocalClusterDriver driver;

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(OsUser.isRoot(), "accounts per instance are made only when the driver runs as root");
        root = Files.createTempDirectory("pgfleet-isolation-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        settings = new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), true, PgBinaries.find(Optional.empty()), Duration.ofSeconds(60));
        driver = new LocalClusterDriver(settings);
        for (InstanceKey key : List.of(ALICE, BOB)) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> driver.apply(key, ONE).outcome() == Step.Outcome.DONE);
        }
    }

    @AfterAll
    void stop() {
        if (driver != null) {
            driver.delete(ALICE);
            driver.delete(BOB);
        }
    }

    @Test
    void eachInstanceRunsAsAnAccountOfItsOwn() throws Exception {
        String alice = owner(member(ALICE).dataDir());
        String bob = owner(member(BOB).dataDir());
        assertThat(alice).startsWith("pgf-").isNotEqualTo(bob);
        assertThat(bob).startsWith("pgf-");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(member(BOB).dataDir()))).isEqualTo("rwx------");
        try (Connection c = superuser(ALICE)) {
            assertThat(text(c, "SELECT pg_read_file('PG_VERSION')").strip()).as("its own files, as ever").isEqualTo("15");
        }
    }

    @Test
    void aSuperuserOfOneInstanceReadsNoFileOfTheOther() throws Exception {
        Path bobData = member(BOB).dataDir();
        List<Path> targets = List.of(bobData.resolve("PG_VERSION"), bobData.resolve("postgresql.auto.conf"), bobData.resolve(LocalTls.KEY),
                instance(BOB).passwordFile(), instance(BOB).pgpassFile());
        try (Connection c = superuser(ALICE)) {
            for (Path target : targets) {
                assertThatThrownBy(() -> text(c, "SELECT pg_read_file('" + target + "')")).as("pg_read_file " + target)
                        .isInstanceOf(SQLException.class).hasMessageContaining("ermission denied");
                exec(c, "CREATE TEMP TABLE IF NOT EXISTS loot (line text)");
                assertThatThrownBy(() -> exec(c, "COPY loot FROM '" + target + "'")).as("COPY FROM " + target)
                        .isInstanceOf(SQLException.class).hasMessageContaining("ermission denied");
                assertThatThrownBy(() -> exec(c, "COPY loot FROM PROGRAM 'cat " + target + "'")).as("COPY FROM PROGRAM cat " + target)
                        .isInstanceOf(SQLException.class).hasMessageContaining("program \"cat");
                // the program reads what COPY sends first (else COPY may find the pipe closed), then tries the other's file
                exec(c, "COPY (SELECT 1) TO PROGRAM 'cat > /dev/null; cat " + target + " >> /tmp/pgfleet-isolation-" + ProcessHandle.current().pid()
                        + " 2>&1; true'");
            }
            assertThat(count(c, "SELECT count(*) FROM loot")).isZero();
        }
        Path dropped = Path.of("/tmp/pgfleet-isolation-" + ProcessHandle.current().pid());
        try {
            assertThat(Files.readString(dropped)).contains("Permission denied").doesNotContain("15\n");
        } finally {
            Files.deleteIfExists(dropped);
        }
    }

    @Test
    void linksATenantPlantsInItsDataDirectoryNeverMakeRootWriteOutsideIt() throws Exception {
        Path outside = Files.createTempDirectory("pgfleet-outside-");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwx------"));
        Path data = member(ALICE).dataDir();
        List<String> names = List.of(MemberConfig.PARAMETERS_FILE, MemberConfig.MANAGED_FILE, "pg_hba.conf");
        try (Connection c = superuser(ALICE)) {
            // as the tenant's superuser: the server's own account plants links where root writes next
            for (String name : names) {
                exec(c, "COPY (SELECT 1) TO PROGRAM 'ln -sf " + outside.resolve(name + ".tmp") + " " + data.resolve(name + ".tmp") + "'");
            }
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() ->
                driver.apply(ALICE, new ClusterSpec(false, "1Gi", 1, "local", Map.of("work_mem", "8MB"), 0, 0)).outcome() == Step.Outcome.DONE);
        try (Connection c = superuser(ALICE)) {
            assertThat(text(c, "SHOW work_mem")).isEqualTo("8MB");
        }
        try (var written = Files.list(outside)) {
            assertThat(written.toList()).as("nothing written through the links").isEmpty();
        } finally {
            io.pgfleet.host.FileTrees.delete(outside);
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> driver.apply(ALICE, ONE).outcome() == Step.Outcome.DONE);
    }

    @Test
    void anInstancesAccountGoesWithIt() throws Exception {
        InstanceKey brief = new InstanceKey("tenant-c", "brief");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> driver.apply(brief, ONE).outcome() == Step.Outcome.DONE);
        String account = owner(member(brief).dataDir());
        assertThat(ProcessRunner.run(List.of("id", "-u", account), Map.of(), null, Duration.ofSeconds(10)).ok()).isTrue();
        driver.delete(brief);
        assertThat(ProcessRunner.run(List.of("id", "-u", account), Map.of(), null, Duration.ofSeconds(10)).ok()).isFalse();
    }

    private LocalInstance instance(InstanceKey key) {
        return new LocalInstance(key, root.resolve("local").resolve(key.namespace()).resolve(key.name()), settings);
    }

    private LocalMember member(InstanceKey key) {
        return instance(key).member(1);
    }

    private static String owner(Path path) throws Exception {
        return Files.getOwner(path).getName();
    }

    private Connection superuser(InstanceKey key) throws SQLException {
        Endpoint endpoint = driver.primary(key).orElseThrow();
        return DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password());
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static int count(Connection c, String sql) throws SQLException {
        return Integer.parseInt(text(c, sql));
    }
}
