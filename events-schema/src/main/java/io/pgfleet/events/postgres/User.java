package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;

/**
 * A login role.
 *
 * @param password    optional; generated and stored in the credential store when absent, never echoed
 * @param replication may open replication connections
 * @param superuser   is a PostgreSQL superuser
 */
@Doc("A login role.")
public record User(
        @Doc(value = "Password. Optional: generated and stored in the credential store when absent. Never echoed in events or logs. In clear, or sealed for this instance: a JWE compact string (RSA-OAEP-256 + A256GCM to the fleet's key from /fleet/keys, protected header `pgfleet.io/instance: <namespace>/<name>`); see docs/events.md, Sealed secrets.",
                minLength = 1) String password,
        @Doc("May open replication connections. Default false.") Boolean replication,
        @Doc("Is a PostgreSQL superuser. Default false.") Boolean superuser) {

    /** A user with no password and no flags: what a bare {@code name:} entry means. */
    public static User empty() {
        return new User(null, null, null);
    }

    @Override
    public String toString() {
        // Records print every component; a password must never reach a log line this way.
        return "User[password=" + (password == null ? "absent" : "***") + ", replication=" + replication
                + ", superuser=" + superuser + "]";
    }
}
