package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;
import io.pgfleet.events.postgres.DatabaseRoles;
import java.util.Map;

/**
 * Adds (or updates) one login role on a running instance, without re-publishing the whole document.
 */
@Doc("Adds or updates one login role and its database access.")
public record AddUserCommand(
        @Doc(value = "Instance name.", required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE) String instance,
        @Doc(value = "Namespace; the configured default when absent.", pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE) String namespace,
        @Doc(value = "User name (PostgreSQL identifier: lower-case letters, digits, '_', at most 63 bytes).", required = true,
                pattern = NameRules.ROLE, maxLength = NameRules.MAX_IDENTIFIER) String name,
        @Doc(value = "Password. Optional: generated and stored when absent. Never echoed. In clear, or sealed for this instance: a JWE compact string (RSA-OAEP-256 + A256GCM to the fleet's key from /fleet/keys, protected header `pgfleet.io/instance: <namespace>/<name>`); see docs/events.md, Sealed secrets.",
                minLength = 1) String password,
        @Doc("May open replication connections. Default false.") Boolean replication,
        @Doc("Is a superuser. Default false.") Boolean superuser,
        @Doc(value = "Database name to access level (`admin`, `readonly`, `app` or `monitoring`).", pattern = NameRules.DATABASE,
                maxLength = NameRules.MAX_DATABASE, values = {DatabaseRoles.ADMIN, DatabaseRoles.READONLY, DatabaseRoles.APP,
                DatabaseRoles.MONITORING}, valuesName = "AccessLevel") Map<String, String> databases)
        implements InstanceCommand {

    @Override
    public String toString() {
        return "AddUserCommand[instance=" + instance + ", namespace=" + namespace + ", name=" + name + ", password="
                + (password == null ? "absent" : "***") + ", replication=" + replication + ", superuser=" + superuser
                + ", databases=" + databases + "]";
    }
}
