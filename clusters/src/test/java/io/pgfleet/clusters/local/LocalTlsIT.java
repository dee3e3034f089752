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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS of local members with real PostgreSQL and OpenSSL: an external instance (on 127.0.0.2, standing for a non-loopback
 * address) takes TLS only from outside, verified against the data root's CA; its replica streams over TLS.
 */
class LocalTlsIT {

    private static final String EXTERNAL = "127.0.0.2";

    @TempDir
    Path root;
    private LocalClusterDriver driver;
    private InstanceKey key;

    @AfterEach
    void delete() {
        if (key != null) {
            driver.delete(key);
        }
    }

    @Test
    void membersServeTlsVerifiedByTheCaAndOutsideConnectionsWithoutItAreRefused() throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        LocalSettings settings = new LocalSettings(root, EXTERNAL, OsUser.forPostgres("nobody"), PgBinaries.find(Optional.empty()),
                Duration.ofSeconds(60));
        driver = new LocalClusterDriver(settings);
        key = new InstanceKey("tenant-t", "secure");
        ClusterSpec spec = new ClusterSpec(true, "1Gi", 2, "local", Map.of(), 0, 1);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> driver.apply(key, spec).outcome() == Step.Outcome.DONE);

        Endpoint primary = driver.primary(key).orElseThrow();
        assertThat(primary.caFile()).isEqualTo(settings.caCertificate());
        assertThat(primary.jdbcUrl("postgres")).contains("sslmode=verify-full");
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
             Statement sql = c.createStatement()) {
            assertThat(text(sql, "SHOW ssl")).isEqualTo("on");
            assertThat(text(sql, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("true");
            // The replica streams over TLS: its walsender's connection on the primary is encrypted.
            await().atMost(Duration.ofMinutes(1)).until(() -> text(sql, "SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s "
                    + "ON s.pid = r.pid WHERE s.ssl").equals("1"));
        }
        // From outside (a client whose address is 127.0.0.2, not the loopback address pg_hba takes without TLS): refused in
        // clear, taken over TLS ...
        String outside = "jdbc:postgresql://" + EXTERNAL + ":" + primary.port() + "/postgres?localSocketAddress=" + EXTERNAL;
        assertThatThrownBy(() -> DriverManager.getConnection(outside + "&sslmode=disable", primary.user(), primary.password()).close())
                .hasMessageContaining("no pg_hba.conf entry").hasMessageContaining("no encryption");
        try (Connection c = DriverManager.getConnection(outside + "&sslmode=verify-full&sslrootcert=" + settings.caCertificate(), primary.user(),
                primary.password()); Statement sql = c.createStatement()) {
            assertThat(text(sql, "SELECT ssl::text || ' ' || host(inet_client_addr()) FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                    .isEqualTo("true " + EXTERNAL);
        }
        // ... and psql, verifying the server's name against the CA.
        ProcessBuilder psql = new ProcessBuilder(PgBinaries.find(Optional.empty()).tool("psql"), "-X", "-A", "-t", "-c",
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", "host=" + EXTERNAL + " port=" + primary.port() + " user="
                + primary.user() + " dbname=postgres sslmode=verify-full sslrootcert=" + settings.caCertificate());
        psql.environment().put("PGPASSWORD", primary.password());
        Process process = psql.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        assertThat(output.strip()).isEqualTo("t");

        // The same as a URI, as `pgfleet connect` prints it.
        String uri = "postgresql://" + primary.user() + ":" + java.net.URLEncoder.encode(primary.password(), StandardCharsets.UTF_8) + "@127.0.0.1:"
                + primary.port() + "/postgres?sslmode=verify-full&sslrootcert="
                + java.net.URLEncoder.encode(settings.caCertificate().toString(), StandardCharsets.UTF_8);
        Process viaUri = new ProcessBuilder(PgBinaries.find(Optional.empty()).tool("psql"), "-X", "-A", "-t", "-c",
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", uri).redirectErrorStream(true).start();
        String answer = new String(viaUri.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(viaUri.waitFor()).as(answer).isZero();
        assertThat(answer.strip()).as(answer).isEqualTo("t");

        // The keys stay private.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("tls/ca.key")))).isEqualTo("rw-------");
        Path memberKey;
        try (var files = Files.walk(root)) {
            memberKey = files.filter(p -> p.getFileName().toString().equals(LocalTls.KEY)).findFirst().orElseThrow();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(memberKey))).isEqualTo("rw-------");
    }

    private static String text(Statement sql, String query) throws Exception {
        try (ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
