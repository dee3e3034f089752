package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.Processes;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Restore drills' scratch servers on the local driver, with real initdb and PostgreSQL: only the drill's superuser gets in
 * (a restored tenant's role, with its own password, is refused), the files are the drills' account's alone, a server a
 * killed drill left is replaced when its drill starts again, and removal leaves no process and no file.
 */
class LocalDrillsIT {

    @Test
    void aScratchServerAdmitsOnlyItsOwnSuperuserAndLeavesNothingOnceRemoved() throws Exception {
        Path root = Files.createTempDirectory("pgfleet-drills-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        LocalSettings settings = new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), OsUser.isRoot(),
                PgBinaries.find(Optional.empty()), Duration.ofSeconds(60));
        DrillServers drills = new LocalClusterDriver(settings).drills().orElseThrow();
        Path dir = root.resolve(LocalDrills.DIR).resolve("verify-7");
        try {
            DrillServers.Scratch made = drills.start(null, "verify-7").scratch();
            Endpoint scratch = made.superuser();
            assertThat(drills.existing(List.of()).stream().map(DrillServers.Found::id).toList()).containsExactly("verify-7");
            assertThat(scratch.host()).isEqualTo("127.0.0.1");
            try (Connection c = connect(scratch, scratch.user(), scratch.password()); Statement sql = c.createStatement()) {
                // What a restore does: a tenant's role with its password, as the backup's roles have it; a temporary login of
                // its own, in the login group, that loads a table as its owner.
                sql.execute("CREATE ROLE tenant_admin LOGIN PASSWORD 'tenant-pass'");
                sql.execute("CREATE ROLE loader LOGIN PASSWORD 'loader-pass' IN ROLE " + made.loginGroup() + ", tenant_admin");
                try (ResultSet rows = sql.executeQuery("SHOW unix_socket_directories")) {
                    rows.next();
                    assertThat(rows.getString(1)).as("no Unix socket").isEmpty();
                }
            }
            assertThatThrownBy(() -> connect(scratch, "tenant_admin", "tenant-pass").close())
                    .as("a tenant's role is refused, even with its password").hasMessageContaining("pg_hba.conf rejects");
            connect(scratch, "loader", "loader-pass").close();
            assertThat(made.loginGroup()).matches("pgfleet_drill_[0-9a-f]{16}");
            assertThatThrownBy(() -> connect(scratch, scratch.user(), "guess").close()).hasMessageContaining("password authentication failed");
            assertThat(Files.getOwner(dir.resolve("data"), LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo(settings.drillAccount().name());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS))).isEqualTo("rwx------");
            if (settings.accountPerInstance()) {
                assertThat(settings.drillAccount().name()).isEqualTo(LocalSettings.DRILL_ACCOUNT);
            }
            assertThat(settings.storageRoots()).as("the drills' directory is no storage class").doesNotContain(root.resolve(LocalDrills.DIR));
            long first = Postmaster.pid(dir.resolve("data")).orElseThrow();

            // A drill taken up again after its worker was killed: the server its predecessor left goes, a new one comes.
            Endpoint again = drills.start(null, "verify-7").scratch().superuser();
            assertThat(Processes.isRunning(first)).isFalse();
            assertThat(again.password()).isNotEqualTo(scratch.password());
            assertThatThrownBy(() -> connect(again, "tenant_admin", "tenant-pass").close()).isInstanceOf(SQLException.class);
            try (Connection c = connect(again, again.user(), again.password()); Statement sql = c.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = 'tenant_admin'")) {
                rows.next();
                assertThat(rows.getInt(1)).as("made empty again").isZero();
            }
            long second = Postmaster.pid(dir.resolve("data")).orElseThrow();

            drills.remove(null, "verify-7");
            assertThat(Processes.isRunning(second)).isFalse();
            assertThat(dir).doesNotExist();
            assertThat(drills.existing(List.of()).stream().map(DrillServers.Found::id).toList()).isEmpty();
            drills.remove(null, "verify-7");   // nothing to remove: nothing happens
        } finally {
            drills.remove(null, "verify-7");
        }
    }

    private static Connection connect(Endpoint endpoint, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + endpoint.port() + "/postgres?sslmode=disable", user, password);
    }
}
