package io.pgfleet.clusters.local;

import io.pgfleet.events.postgres.Pooler;
import java.nio.file.Path;

/**
 * The {@code pgbouncer.ini} of one of an instance's pools, rendered from its {@code pooler} section and the port of the
 * member it leads to: the primary for the read-write pool, a standby for the read-only one (a PgBouncer of its own, on a
 * port of its own, as CloudNativePG has an {@code rw} and an {@code ro} Pooler). Pure: {@link LocalPooler} writes what
 * this renders, and a new primary is a changed file, which the pooler reloads.
 *
 * <p>Every client authenticates as itself with SCRAM: PgBouncer looks its secret up through {@link #LOOKUP_ROLE}
 * ({@code auth_query}, a {@code SECURITY DEFINER} function in each database that never answers for a superuser or
 * pgfleet's own roles), and logs in to the server with the client's own SCRAM proof. The lookup role itself logs in by
 * certificate ({@code server_tls_cert_file}), so no file holds a password. To the members: {@code verify-full} against
 * the data root's CA.
 *
 * @param directory     the pooler's directory (its certificates, pid file and log)
 * @param listenAddress the addresses it listens on (the members')
 * @param port          its port
 * @param targetPort    the port of the member it leads to
 * @param pooler        the document's section, with its defaults
 * @param external      reachable from other hosts: clients must then use TLS
 * @param caCertificate the CA the members' certificates (and the lookup role's) are signed by
 */
record PoolerConfig(Path directory, String listenAddress, int port, int targetPort, Pooler pooler, boolean external, Path caCertificate) {

    /** The role PgBouncer looks clients' secrets up with: it can log in (by certificate, from loopback) and call the lookup. */
    static final String LOOKUP_ROLE = "pgfleet_pooler";
    /** The schema of the lookup function in each database. */
    static final String LOOKUP_SCHEMA = "pgfleet_pooler";
    static final String FILE = "pgbouncer.ini";
    static final String PID_FILE = "pgbouncer.pid";
    static final String LOG_FILE = "pgbouncer.log";
    static final String SERVER_CERT = "server.crt";
    static final String SERVER_KEY = "server.key";
    static final String CLIENT_CERT = "lookup.crt";
    static final String CLIENT_KEY = "lookup.key";
    /** The console's one user, for {@code SHOW POOLS}: in PgBouncer's own user file, by its SCRAM verifier only. */
    static final String STATS_USER = "pgfleet_stats";
    static final String USERS_FILE = "users.txt";

    /** The text of {@code pgbouncer.ini}. */
    String text() {
        // Every database, by the name the client asks for: no tenant's name is ever written into this file.
        StringBuilder ini = new StringBuilder("; Managed by pgfleet; changes are overwritten.\n[databases]\n")
                .append("* = host=127.0.0.1 port=").append(targetPort).append('\n')
                .append("\n[pgbouncer]\n")
                .append(line("listen_addr", listenAddress))
                .append(line("listen_port", Integer.toString(port)))
                .append(line("unix_socket_dir", ""))
                .append(line("pidfile", directory.resolve(PID_FILE).toString()))
                .append(line("logfile", directory.resolve(LOG_FILE).toString()))
                .append(line("auth_type", "scram-sha-256"))
                .append(line("auth_file", directory.resolve(USERS_FILE).toString()))
                .append(line("stats_users", STATS_USER))
                .append(line("auth_user", LOOKUP_ROLE))
                .append(line("auth_query", "SELECT usename, passwd FROM " + LOOKUP_SCHEMA + ".lookup($1)"))
                .append(line("pool_mode", pooler.mode()))
                .append(line("max_client_conn", Integer.toString(pooler.maxClientConnections())))
                .append(line("default_pool_size", Integer.toString(pooler.defaultPoolSize())))
                // pgJDBC sends it; PgBouncer refuses a startup parameter it does not know unless told to ignore it.
                .append(line("ignore_startup_parameters", "extra_float_digits"))
                // A primary that just changed is tried again within a second, not PgBouncer's default 15.
                .append(line("server_login_retry", "1"))
                .append(line("server_connect_timeout", "5"))
                .append(line("server_tls_sslmode", "verify-full"))
                .append(line("server_tls_ca_file", caCertificate.toString()))
                .append(line("server_tls_cert_file", directory.resolve(CLIENT_CERT).toString()))
                .append(line("server_tls_key_file", directory.resolve(CLIENT_KEY).toString()))
                .append(line("client_tls_sslmode", external ? "require" : "prefer"))
                .append(line("client_tls_cert_file", directory.resolve(SERVER_CERT).toString()))
                .append(line("client_tls_key_file", directory.resolve(SERVER_KEY).toString()))
                .append(line("client_tls_protocols", "tlsv1.2,tlsv1.3"));
        return ini.toString();
    }

    private static String line(String name, String value) {
        return name + " = " + value + "\n";
    }
}
