package io.pgfleet.testkit;

import io.pgfleet.servers.PostgresServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.host.OsUser;
import io.pgfleet.host.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresServerIT {

    @Test
    void sqlRunsOnAStartedServerOnLoopback() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(); Connection connection = postgres.connect("postgres");
             Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE things (id int PRIMARY KEY, name text)");
            sql.execute("INSERT INTO things VALUES (1, 'one'), (2, 'two')");
            try (ResultSet rows = sql.executeQuery("SELECT count(*), string_agg(name, ',' ORDER BY id) FROM things")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(2);
                assertThat(rows.getString(2)).isEqualTo("one,two");
            }
            try (ResultSet rows = sql.executeQuery("SELECT current_setting('listen_addresses'), current_setting('server_version_num')::int")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("127.0.0.1");
                assertThat(rows.getInt(2) / 10000).isEqualTo(postgres.binaries().majorVersion());
            }
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        try (PostgresServer postgres = PostgresServer.start()) {
            assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "not-the-password"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void settingsAreApplied() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(Map.of("max_connections", "42", "application_name", "it's"));
             Connection connection = postgres.connect("postgres"); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SHOW max_connections")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo("42");
        }
    }

    @Test
    void itRunsUnprivilegedAndStopsByItsProcessId() throws Exception {
        PostgresServer postgres = PostgresServer.start();
        long pid = postgres.pid();
        Path directory = postgres.directory();
        assertThat(Processes.isRunning(pid)).isTrue();
        String uid = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        if (OsUser.isRoot()) {
            assertThat(uid).isNotEqualTo("0");
            assertThat(postgres.osUser().name()).isEqualTo("nobody");
        }
        postgres.close();
        assertThat(Processes.isRunning(pid)).isFalse();
        assertThat(directory).doesNotExist();
    }

    @Test
    void twoServersRunSideBySide() throws Exception {
        try (PostgresServer a = PostgresServer.start(); PostgresServer b = PostgresServer.start()) {
            assertThat(a.port()).isNotEqualTo(b.port());
            for (PostgresServer server : List.of(a, b)) {
                try (Connection connection = server.connect("postgres"); ResultSet rows = connection.createStatement()
                        .executeQuery("SELECT inet_server_port()")) {
                    rows.next();
                    assertThat(rows.getInt(1)).isEqualTo(server.port());
                }
            }
        }
    }
}
