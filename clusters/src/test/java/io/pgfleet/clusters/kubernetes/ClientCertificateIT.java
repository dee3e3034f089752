package io.pgfleet.clusters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.local.LocalClusterDriver;
import io.pgfleet.clusters.local.LocalSettings;
import io.pgfleet.host.OsUser;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.credentials.CredentialStores;
import io.pgfleet.runtime.credentials.KubernetesCredentialStore;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgfleet's client certificates against a real PostgreSQL that checks them as a CloudNativePG Cluster does
 * ({@code ssl_ca_file} = the instance's client CA, {@code hostssl all postgres all cert}): pgjdbc and libpq sign in as
 * the superuser with what {@link ClientCertificates} made and the {@link Endpoint} it gives, with no password; the
 * certificate made for another instance, and the replication certificate a tenant may read in its namespace, are
 * refused. (Kubernetes is fabric8's mock server; the server is a member of a local instance, reached over TLS.)
 */
@EnableKubernetesMockClient(crud = true)
class ClientCertificateIT {

    static KubernetesClient client;

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
    void theSuperuserSignsInWithTheInstancesCertificateOnlyAndNeitherAnotherInstancesNorTheReplicationOneIsTaken() throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        driver = new LocalClusterDriver(new LocalSettings(root, "127.0.0.2", OsUser.forPostgres("nobody"), PgBinaries.find(Optional.empty()),
                Duration.ofSeconds(60)));
        key = new InstanceKey("tenant-c", "certified");
        ClusterSpec spec = new ClusterSpec(true, "1Gi", 1, "local", Map.of(), 0, 0);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> driver.apply(key, spec).outcome() == Step.Outcome.DONE);
        Endpoint withPassword = driver.primary(key).orElseThrow();

        ClientCertificates certificates = new ClientCertificates(client, KubernetesCredentialStore.inHome(client, CredentialStores.CLIENT,
                "pgfleet-system"), root.resolve("client"));
        InstanceKey other = new InstanceKey("tenant-c", "elsewhere");
        assertThat(certificates.ensure(key, Instant.now())).isEmpty();
        assertThat(certificates.ensure(other, Instant.now())).isEmpty();
        // the member checks client certificates as the Cluster would: against the instance's client CA, postgres by certificate
        String clientCa = decode(client.secrets().inNamespace("tenant-c").withName(ClientCertificates.caSecret(key)).get().getData().get("ca.crt"));
        Path data = root.resolve("local/tenant-c/certified/member-1/data");
        Files.writeString(data.resolve("client-ca.crt"), clientCa);
        Files.setPosixFilePermissions(data.resolve("client-ca.crt"), PosixFilePermissions.fromString("rw-r--r--"));
        Path hba = data.resolve("pg_hba.conf");
        Files.writeString(hba, CnpgModel.SUPERUSER_BY_CERTIFICATE + "\n" + Files.readString(hba));
        try (Connection superuser = DriverManager.getConnection(withPassword.sessionUrl("postgres"), withPassword.sessionProperties());
             Statement sql = superuser.createStatement()) {
            sql.execute("ALTER SYSTEM SET ssl_ca_file = 'client-ca.crt'");
            sql.execute("SELECT pg_reload_conf()");
        }

        Endpoint endpoint = new Endpoint(withPassword.host(), withPassword.port(), "postgres", null, withPassword.caFile(),
                certificates.files(key).orElseThrow());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection c = DriverManager.getConnection(endpoint.sessionUrl("postgres"), endpoint.sessionProperties());
                 Statement sql = c.createStatement(); ResultSet row = sql.executeQuery(
                         "SELECT current_user || ' ' || client_dn FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()")) {
                row.next();
                return row.getString(1).equals("postgres /CN=postgres");
            }
        });
        assertThat(psql(endpoint)).as("libpq with the same certificate").isEqualTo("postgres");

        // another instance's certificate for postgres is not signed by this instance's CA
        Endpoint otherInstance = new Endpoint(endpoint.host(), endpoint.port(), "postgres", null, endpoint.caFile(),
                certificates.files(other).orElseThrow());
        assertThatThrownBy(() -> DriverManager.getConnection(otherInstance.sessionUrl("postgres"), otherInstance.sessionProperties()).close())
                .hasMessageContaining("certificate");
        // the replication certificate a tenant may read in its namespace does not make it the superuser
        var replication = client.secrets().inNamespace("tenant-c").withName(ClientCertificates.replicationSecret(key)).get().getData();
        Path dir = Files.createDirectories(root.resolve("tenant"));
        Path cert = dir.resolve("replication.crt");
        Path pem = dir.resolve("replication.key");
        Path pk8 = dir.resolve("replication.pk8");
        Files.writeString(cert, decode(replication.get("tls.crt")));
        Files.writeString(pem, decode(replication.get("tls.key")));
        Files.write(pk8, ClientCertificates.pkcs8Der(decode(replication.get("tls.key"))));
        for (Path file : List.of(pem, pk8)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        Endpoint asReplication = new Endpoint(endpoint.host(), endpoint.port(), "postgres", null, endpoint.caFile(),
                new Endpoint.ClientCertificate(cert, pem, pk8));
        assertThatThrownBy(() -> DriverManager.getConnection(asReplication.sessionUrl("postgres"), asReplication.sessionProperties()).close())
                .hasMessageContaining("certificate authentication failed for user \"postgres\"");
        // and without a certificate, the superuser's password no longer opens it
        assertThatThrownBy(() -> DriverManager.getConnection(withPassword.sessionUrl("postgres"), withPassword.sessionProperties()).close())
                .hasMessageContaining("connection requires a valid client certificate");
    }

    private static String psql(Endpoint endpoint) throws Exception {
        List<String> argv = new ArrayList<>(List.of(PgBinaries.find(Optional.empty()).tool("psql"), "-X", "-A", "-t", "-h", endpoint.host(),
                "-p", Integer.toString(endpoint.port()), "-U", endpoint.user(), "-d", "postgres", "-c", "SELECT current_user"));
        Map<String, String> environment = new HashMap<>(endpoint.libpqEnvironment());
        CommandResult result = ProcessRunner.run(argv, environment, Path.of("/"), Duration.ofMinutes(1));
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output().strip();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}
