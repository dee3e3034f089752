package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgfleet connect} against the services' instance views (served here by a plain HTTP server): the string verifies the server. */
class ConnectCliTest {

    private static final String ACCESS = """
            {"desired": {"users": {"alice": {}}, "databases": {"shop": {"members": {"admin": ["alice"]}}}}}
            """;

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aCloudNativePgInstanceNamesItsCaSecretAndHowToSaveIt(@TempDir Path dataDir) throws Exception {
        serve(Map.of("/p/instances/tenant-a/shop", """
                {"observed": {"members": [{"name": "shop-1", "role": "primary", "host": "shop-rw.tenant-a.svc", "port": 5432}]},
                 "tls": {"sslmode": "verify-full", "caSecret": "shop-ca"}}
                """, "/u/instances/tenant-a/shop", ACCESS));
        String[] run = connect(dataDir);
        assertThat(run[0].strip()).isEqualTo("postgresql://alice@shop-rw.tenant-a.svc:5432/shop?sslmode=verify-full&sslrootcert=shop-ca.crt");
        assertThat(run[1]).contains("Secret tenant-a/shop-ca", "kubectl -n tenant-a get secret shop-ca -o jsonpath='{.data.ca\\.crt}' | base64 -d > shop-ca.crt");
    }

    @Test
    void aLocalInstanceSeenFromAnotherMachineGetsTheCaTheProvisionerServes(@TempDir Path dataDir) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        serve(Map.of("/p/instances/tenant-a/shop", """
                {"observed": {"members": [{"name": "shop-1", "role": "primary", "host": "127.0.0.1", "port": 15432}]},
                 "tls": {"sslmode": "verify-full", "caCertificate": "%s"}}
                """.formatted(pem.replace("\n", "\\n")), "/u/instances/tenant-a/shop", ACCESS));
        String[] run = connect(dataDir);
        Path saved = dataDir.resolve("ca/tenant-a.shop.crt");
        assertThat(run[0].strip()).isEqualTo("postgresql://alice@127.0.0.1:15432/shop?sslmode=verify-full&sslrootcert="
                + java.net.URLEncoder.encode(saved.toAbsolutePath().toString(), StandardCharsets.UTF_8));
        assertThat(Files.readString(saved)).isEqualTo(pem);
    }

    @Test
    void everyMemberIsListedSoTheStringReachesThePrimaryAfterAFailover(@TempDir Path dataDir) throws Exception {
        serve(Map.of("/p/instances/tenant-a/shop", """
                {"observed": {"members": [{"name": "shop-2", "role": "primary", "host": "127.0.0.1", "port": 15433}]},
                 "primaryHosts": "127.0.0.1:15433,127.0.0.1:15432,127.0.0.1:15434", "tls": {}}
                """, "/u/instances/tenant-a/shop", ACCESS));
        assertThat(connect(dataDir)[0].strip())
                .isEqualTo("postgresql://alice@127.0.0.1:15433,127.0.0.1:15432,127.0.0.1:15434/shop?target_session_attrs=read-write");
    }

    @Test
    void throughThePoolerTheStringNamesThePoolOnlyAndAMissingPoolIsSaid(@TempDir Path dataDir) throws Exception {
        serve(Map.of("/p/instances/tenant-a/shop", """
                {"observed": {"members": [{"name": "shop-2", "role": "primary", "host": "127.0.0.1", "port": 15433}],
                              "poolers": [{"pool": "rw", "host": "127.0.0.1", "port": 16432, "state": "running"}]},
                 "primaryHosts": "127.0.0.1:15433,127.0.0.1:15432", "tls": {}}
                """, "/u/instances/tenant-a/shop", ACCESS));
        // The pool leads to the primary itself: no list of members, no target_session_attrs.
        assertThat(connect(dataDir, "--pooler")[0].strip()).isEqualTo("postgresql://alice@127.0.0.1:16432/shop");
        StringWriter err = new StringWriter();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "connect", "tenant-a/shop", "--pooler=ro",
                "--data-dir", dataDir.toString(), "--provisioner-url", base + "/p", "--user-manager-url", base + "/u");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("instance tenant-a/shop has no ro pooler (spec.pooler.enabled and spec.pooler.readOnly)");
    }

    @Test
    void withoutTlsTheStringHasNoParameters(@TempDir Path dataDir) throws Exception {
        serve(Map.of("/p/instances/tenant-a/shop", """
                {"observed": {"members": [{"name": "shop-1", "role": "primary", "host": "127.0.0.1", "port": 15432}]}, "tls": {}}
                """, "/u/instances/tenant-a/shop", ACCESS));
        assertThat(connect(dataDir)[0].strip()).isEqualTo("postgresql://alice@127.0.0.1:15432/shop");
    }

    @Test
    void withPasswordTheStringNamesAPrivatePasswordFileNeverThePassword(@TempDir Path dataDir) throws Exception {
        serve(Map.of("/p/instances/tenant-a/shop", """
                {"observed": {"members": [{"name": "shop-1", "role": "primary", "host": "127.0.0.1", "port": 15432}]}, "tls": {}}
                """, "/u/instances/tenant-a/shop", ACCESS));
        Path credentials = dataDir.resolve("clusters/credentials/tenant-a/shop-credentials.json");
        Files.createDirectories(credentials.getParent());
        Files.writeString(credentials, "{\"alice\": \"s3cr:et\\\\pw\"}");
        String uri = connect(dataDir, "--with-password")[0].strip();
        Path passfile = dataDir.resolve("passfiles/tenant-a/shop/alice");
        assertThat(uri).isEqualTo("postgresql://alice@127.0.0.1:15432/shop?passfile="
                + java.net.URLEncoder.encode(passfile.toString(), StandardCharsets.UTF_8)).doesNotContain("s3cr");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(passfile))).isEqualTo("rw-------");
        assertThat(Files.readString(passfile)).isEqualTo("*:*:*:alice:s3cr\\:et\\\\pw\n");
        assertThat(LibpqUrl.parse(uri).password()).isEqualTo("s3cr:et\\pw");
    }

    private void serve(Map<String, String> bodies) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = bodies.get(exchange.getRequestURI().getPath());
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : bytes.length);
            if (body != null) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.start();
    }

    /** stdout and stderr of {@code pgfleet connect tenant-a/shop}. */
    private String[] connect(Path dataDir, String... more) {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("connect", "tenant-a/shop", "--data-dir", dataDir.toString(),
                "--provisioner-url", base + "/p", "--user-manager-url", base + "/u"));
        args.addAll(java.util.List.of(more));
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        assertThat(code).as(err.toString()).isZero();
        return new String[] {out.toString(), err.toString()};
    }
}
