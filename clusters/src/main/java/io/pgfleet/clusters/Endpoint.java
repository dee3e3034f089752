package io.pgfleet.clusters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * How to reach an instance's primary as its superuser. The password and the client key are secrets: they must never be
 * logged, put in an event or stored in a state table.
 *
 * @param host     address
 * @param port     port
 * @param user     superuser name
 * @param password superuser password; {@code null} when the superuser authenticates with a client certificate instead
 * @param caFile   the CA certificate the primary's server certificate is verified with ({@code sslmode=verify-full});
 *                 {@code null} when the primary has no TLS pgfleet can verify
 * @param client   the superuser's client certificate, when it authenticates with one; {@code null} otherwise
 */
public record Endpoint(String host, int port, String user, String password, Path caFile, ClientCertificate client) {

    public Endpoint(String host, int port, String user, String password) {
        this(host, port, user, password, null, null);
    }

    public Endpoint(String host, int port, String user, String password, Path caFile) {
        this(host, port, user, password, caFile, null);
    }

    /**
     * A client certificate and its key, as files only their owner may read: the key in PEM for libpq (pg_dump, psql) and
     * in PKCS-8 DER for pgjdbc, which reads no PEM key.
     */
    public record ClientCertificate(Path certificate, Path keyPem, Path keyPk8) {
    }

    /**
     * pgfleet's own session: {@code jdbc:postgresql://host:port/database}, verifying the server's certificate when there is
     * a CA, with the search path of {@link TenantSession} (so nothing a tenant made in the database runs in it). Every
     * connection the services open on an instance uses this.
     */
    public String sessionUrl(String database) {
        return TenantSession.jdbcUrl(host, port, database, tls());
    }

    /** pgjdbc's properties of pgfleet's session: the superuser, and its password when it has one. */
    public Properties sessionProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "10");
        return properties;
    }

    /**
     * The same session with further URL parameters (already encoded), and at least {@code sslmode=require} when there is
     * no CA to verify with.
     */
    public String sessionUrl(String database, String parameters) {
        return TenantSession.jdbcUrl(host, port, database, parameters + "&" + (caFile == null ? "sslmode=require" : tls()));
    }

    /**
     * What a client of the instance uses (a tenant's application, a test acting as one): the same address, database name
     * and TLS, without pgfleet's session options, so objects it creates land where the client's search path says.
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + (caFile == null ? "" : "?" + serverTls());
    }

    /** pgfleet's TLS: the server verified, and the superuser's client certificate when it has one. */
    private String tls() {
        if (caFile == null) {
            return "";
        }
        return client == null ? serverTls() : serverTls() + "&sslcert=" + encode(client.certificate()) + "&sslkey=" + encode(client.keyPk8());
    }

    private String serverTls() {
        return "sslmode=verify-full&sslrootcert=" + encode(caFile);
    }

    private static String encode(Path file) {
        return URLEncoder.encode(file.toAbsolutePath().toString(), StandardCharsets.UTF_8);
    }

    /**
     * libpq's environment for the same (psql, pg_dump, pg_restore): {@code PGOPTIONS} of {@link TenantSession},
     * {@code PGSSLMODE} and {@code PGSSLROOTCERT} when there is a CA, {@code PGSSLCERT} and {@code PGSSLKEY} when the
     * superuser authenticates with a client certificate. No password: the caller adds {@code PGPASSWORD} when there is one.
     */
    public Map<String, String> libpqEnvironment() {
        Map<String, String> environment = new HashMap<>(TenantSession.LIBPQ_ENVIRONMENT);
        if (caFile != null) {
            environment.putAll(Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", caFile.toAbsolutePath().toString()));
        }
        if (caFile != null && client != null) {
            environment.putAll(Map.of("PGSSLCERT", client.certificate().toAbsolutePath().toString(),
                    "PGSSLKEY", client.keyPem().toAbsolutePath().toString()));
        }
        return Map.copyOf(environment);
    }

    @Override
    public String toString() {
        return "Endpoint[" + user + "@" + host + ":" + port + "]";
    }
}
