package io.pgfleet.clusters;

import java.nio.file.Path;

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

    /** {@code jdbc:postgresql://host:port/database}, verifying the server's certificate when there is a CA. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database
                + (caFile == null ? "" : "?sslmode=verify-full&sslrootcert=" + caFile.toAbsolutePath());
    }

    /** libpq's environment for the same (psql, pg_dump, pg_restore): {@code PGSSLMODE} and {@code PGSSLROOTCERT}. */
    public java.util.Map<String, String> sslEnvironment() {
        return caFile == null ? java.util.Map.of()
                : java.util.Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", caFile.toAbsolutePath().toString());
    }

    @Override
    public String toString() {
        return "Endpoint[" + user + "@" + host + ":" + port + "]";
    }
}
