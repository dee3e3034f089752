package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemberConnectionsTest {

    private final MemberConnections connections = new MemberConnections();

    @Test
    void aMemberCountedWhileItWasMadeIsCountedAgainOnceComplete(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        // looked at before its initdb: nothing there yet
        assertThat(connections.sizeOf(data, false)).isZero();
        Files.createDirectories(data);
        Files.write(data.resolve("pg_control"), new byte[8192]);
        // the next step's look, moments later, still being made: the count of a moment ago serves
        assertThat(connections.sizeOf(data, false)).isZero();
        // complete: what it holds now, not the count from while it was made
        assertThat(connections.sizeOf(data, true)).isEqualTo(8192);
        Files.write(data.resolve("more"), new byte[100]);
        // and a complete member's count serves for a while (the walk is the expensive part of watching many instances)
        assertThat(connections.sizeOf(data, true)).isEqualTo(8192);
    }

    @Test
    void aMemberPortWhereAnotherProgramListensAndNeverAnswersFailsTheLoginInsteadOfWaitingForever() throws Exception {
        // Something else took the port of a stopped member: the connection is accepted (the listen backlog) and the
        // login never answered. Without a login timeout the driver would wait forever, and with it the step and every
        // look at the instance. The bound here is a hang's, well above the login timeout.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertTimeoutPreemptively(Duration.ofSeconds(90), () -> assertThatThrownBy(() -> DriverManager.getConnection(
                    LocalMember.driverUrl(silent.getLocalPort(), "postgres"), "postgres", "not-a-secret"))
                    .isInstanceOf(SQLException.class));
        }
    }

    @Test
    void aMemberSlowToAnswerHoldsUpOnlyTheWorkOnThatMember(@TempDir Path dir) throws Exception {
        LocalSettings settings = new LocalSettings(dir, "127.0.0.1", io.pgfleet.host.OsUser.forPostgres("nobody"),
                io.pgfleet.host.PgBinaries.find(java.util.Optional.empty()), Duration.ofSeconds(60));
        LocalInstance instance = new LocalInstance(new io.pgfleet.events.InstanceKey("tenant-a", "pg"), dir.resolve("pg"), settings);
        Files.createDirectories(instance.dir());
        Files.writeString(instance.passwordFile(), "not-a-secret\n");
        int refused;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refused = closed.getLocalPort();
        }
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            LocalMember slow = new LocalMember(instance, 1, silent.getLocalPort(), settings);
            LocalMember other = new LocalMember(instance, 2, refused, settings);
            java.util.concurrent.CompletableFuture<Object> held = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return connections.query(slow, connection -> "answered");
                } catch (SQLException e) {
                    return e;
                }
            });
            // The slow member's login is under way (its lock held) once the silent server has accepted the connection.
            try (java.net.Socket accepted = silent.accept()) {
                // Work on another member goes on meanwhile (here it ends at once: nothing listens on its port), where
                // before it waited, looking for idle connections to close, for the slow member's lock.
                assertThatThrownBy(() -> connections.query(other, connection -> "answered")).isInstanceOf(SQLException.class);
                assertThat(held).isNotDone();
            }
            assertThat(held.get(60, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(SQLException.class);
        }
    }
}
