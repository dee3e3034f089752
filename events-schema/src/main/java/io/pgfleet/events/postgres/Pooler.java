package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;

/**
 * pgfleet's extension of the {@code Postgres} API: a PgBouncer in front of the instance, for applications that open a
 * connection per request. The read-write pool always leads to the current primary; the read-only one, when asked, to a
 * standby. Clients authenticate as themselves (SCRAM), through the pooler to PostgreSQL's own catalogue: no password
 * file.
 */
@Doc("pgfleet's extension of the `Postgres` API (not in the reference): a PgBouncer connection pooler in front of the instance (local: a PgBouncer process per instance; Kubernetes: a CloudNativePG `Pooler`). Its read-write pool always leads to the current primary, across failovers and switchovers, without a client changing its connection string.")
public record Pooler(
        @Doc("A pooler runs in front of the instance. Default false; a later document without it (or with false) stops and removes it.")
        Boolean enabled,
        @Doc(value = "When a server connection goes back to the pool: `session` (when the client disconnects) or `transaction` (when each transaction ends: session state such as `SET`, `LISTEN`, advisory locks and SQL-level prepared statements does not carry from one transaction to the next). Default `session`.",
                values = {Pooler.SESSION, Pooler.TRANSACTION}, valuesName = "PoolerMode")
        String mode,
        @Doc(value = "The most client connections the pooler accepts at once, 1 to 10000. Default 1000.", minimum = 1)
        Integer maxClientConnections,
        @Doc(value = "Server connections per database and role pair, at least 1 and lower than the instance's `max_connections`. Default 20.", minimum = 1)
        Integer defaultPoolSize,
        @Doc("A second pool, read-only, to a standby: needs `replicas` of 2 or more. Default false.")
        Boolean readOnly) {

    public static final String SESSION = "session";
    public static final String TRANSACTION = "transaction";
    public static final int DEFAULT_MAX_CLIENT_CONNECTIONS = 1000;
    public static final int MAX_CLIENT_CONNECTIONS = 10_000;
    public static final int DEFAULT_POOL_SIZE = 20;

    static Pooler disabled() {
        return new Pooler(false, null, null, null, null);
    }

    /** This section with the documented defaults filled in. */
    public Pooler effective() {
        return new Pooler(enabled != null && enabled, mode == null ? SESSION : mode,
                maxClientConnections == null ? DEFAULT_MAX_CLIENT_CONNECTIONS : maxClientConnections,
                defaultPoolSize == null ? DEFAULT_POOL_SIZE : defaultPoolSize, readOnly != null && readOnly);
    }
}
