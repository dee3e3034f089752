package io.pgfleet.clusters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.local.LocalClusterDriver;
import io.pgfleet.clusters.local.LocalSettings;
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
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a restore drill's Cluster is handed out once, on a real PostgreSQL (a local scratch server stands in for the drill
 * Cluster's primary, which no Kubernetes runs here): its login group is made as it is handed out, so the server says
 * afterwards that it was — a killed drill's successor then has the Cluster made again instead of using half a restore —,
 * the group cannot log in, and a name pgfleet did not make never reaches SQL.
 */
class DrillHandOutIT {

    @Test
    void aServerIsHandedOutOnceItsLoginGroupSaysSoAndANameOfSomeoneElsesNeverRuns() throws Exception {
        Path root = Files.createTempDirectory("pgfleet-drill-hand-out-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        LocalSettings settings = new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), OsUser.isRoot(),
                PgBinaries.find(Optional.empty()), Duration.ofSeconds(60));
        DrillServers servers = new LocalClusterDriver(settings).drills().orElseThrow();
        try {
            Endpoint server = servers.start(null, "verify-21").scratch().superuser();
            String group = "pgfleet_drill_0123456789abcdef";
            try (Connection connection = DriverManager.getConnection(server.sessionUrl("postgres"), server.sessionProperties())) {
                assertThat(KubernetesDrills.handedOutBefore(connection, group)).isFalse();
                assertThat(KubernetesDrills.handOut(connection, group, false)).isNull();
                assertThat(KubernetesDrills.handedOutBefore(connection, group)).as("what a killed drill's successor sees").isTrue();
                assertThat(DrillPlan.next(DrillPlan.Seen.TAKEN, Duration.ZERO, KubernetesDrills.READY_LIMIT)).isEqualTo(DrillPlan.Action.REMAKE);
                try (Statement sql = connection.createStatement();
                     ResultSet row = sql.executeQuery("SELECT rolcanlogin, rolsuper FROM pg_catalog.pg_roles WHERE rolname = '" + group + "'")) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getBoolean(1)).as("the group itself cannot log in").isFalse();
                    assertThat(row.getBoolean(2)).isFalse();
                }
                // A server that recovered nothing has no last replayed transaction to tell.
                assertThat(KubernetesDrills.handOut(connection, "pgfleet_drill_fedcba9876543210", true)).isNull();

                String planted = "x; CREATE ROLE intruder SUPERUSER LOGIN PASSWORD 'p'";
                assertThatThrownBy(() -> KubernetesDrills.handOut(connection, planted, false)).hasMessageContaining("not a login group pgfleet made");
                try (Statement sql = connection.createStatement();
                     ResultSet row = sql.executeQuery("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname IN ('x', 'intruder')")) {
                    row.next();
                    assertThat(row.getInt(1)).isZero();
                }
            }
        } finally {
            servers.remove(null, "verify-21");
        }
    }
}
