package io.pgfleet.clusters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How to reach an instance's primary as its superuser. The password is a secret: it must never be
 * logged, put in an event or stored in a state table.
 *
 * @param host     address
 * @param port     port
 * @param user     superuser name
 * @param password superuser password
 * @param caFile   the CA certificate the primary's server certificate is verified with ({@code sslmode=verify-full});
 *                 {@code null} when the primary has no TLS pgfleet can verify
 */
public record Endpoint(String host, int port, String user, String password, Path caFile) {

    public Endpoint(String host, int port, String user, String password) {
        this(host, port, user, password, null);
    }

    /**
     * pgfleet's own session: {@code jdbc:postgresql://host:port/database}, verifying the server's certificate when there is
     * a CA, with the search path of {@link TenantSession} (so nothing a tenant made in the database runs in it). Every
     * connection the services open on an instance uses this.
     */
    public String sessionUrl(String database) {
        return TenantSession.jdbcUrl(host, port, database, tls());
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
                + (caFile == null ? "" : "?" + tls());
    }

    private String tls() {
        return caFile == null ? "" : "sslmode=verify-full&sslrootcert=" + URLEncoder.encode(caFile.toAbsolutePath().toString(), StandardCharsets.UTF_8);
    }

    /**
     * libpq's environment for the same (psql, pg_dump, pg_restore): {@code PGOPTIONS} of {@link TenantSession}, and
     * {@code PGSSLMODE} and {@code PGSSLROOTCERT} when there is a CA.
     */
    public Map<String, String> libpqEnvironment() {
        Map<String, String> environment = new HashMap<>(TenantSession.LIBPQ_ENVIRONMENT);
        if (caFile != null) {
            environment.putAll(Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", caFile.toAbsolutePath().toString()));
        }
        return Map.copyOf(environment);
    }

    @Override
    public String toString() {
        return "Endpoint[" + user + "@" + host + ":" + port + "]";
    }
}
