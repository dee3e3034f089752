package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import java.util.Map;

/**
 * Adds (or updates) one login role on a running instance, without re-publishing the whole document.
 */
@Doc("Adds or updates one login role and its database access.")
public record AddUserCommand(
        @Doc(value = "Instance name.", required = true) String instance,
        @Doc("Namespace; the configured default when absent.") String namespace,
        @Doc(value = "User name (PostgreSQL identifier: lower-case letters, digits, '_', at most 63 bytes).", required = true) String name,
        @Doc("Password. Optional: generated and stored when absent. Never echoed. In clear, or sealed for this instance: a JWE compact string (RSA-OAEP-256 + A256GCM to the fleet's key from /fleet/keys, protected header `pgfleet.io/instance: <namespace>/<name>`); see docs/events.md, Sealed secrets.") String password,
        @Doc("May open replication connections. Default false.") Boolean replication,
        @Doc("Is a superuser. Default false.") Boolean superuser,
        @Doc("Database name to access level (`admin`, `readonly`, `app` or `monitoring`).") Map<String, String> databases)
        implements InstanceCommand {

    @Override
    public String toString() {
        return "AddUserCommand[instance=" + instance + ", namespace=" + namespace + ", name=" + name + ", password="
                + (password == null ? "absent" : "***") + ", replication=" + replication + ", superuser=" + superuser
                + ", databases=" + databases + "]";
    }
}
