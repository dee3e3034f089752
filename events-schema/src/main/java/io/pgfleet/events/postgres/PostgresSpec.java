package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The desired state of an instance. Every field is optional; {@link #effective()} fills the
 * documented defaults. A {@code null} field means "not given", so that a document read and written
 * again is byte-for-byte the same document.
 */
@Doc("The desired state of an instance; every field is optional.")
public record PostgresSpec(
        @Doc("Reachable from outside the cluster (Kubernetes: a LoadBalancer Service; local: the configured external address). Default false.") Boolean external,
        @Doc("Size of each member's data volume, a Kubernetes quantity greater than zero (e.g. `10Gi`). Default `10Gi`. Grows only.") String size,
        @Doc(value = "Number of PostgreSQL members (one primary, the rest streaming replicas), at least 1. Default 2.", minimum = 1) Integer replicas,
        @Doc(value = "Storage class of the data volumes. Default `replicated`.", pattern = NameRules.STORAGE_CLASS,
                maxLength = NameRules.MAX_STORAGE_CLASS) String storageClass,
        @Doc("PostgreSQL settings.") PostgresqlConfig postgresql,
        @Doc("Synchronous replication quorum: 0 <= minSyncReplicas <= maxSyncReplicas < replicas.") Quorum quorum,
        @Doc(value = "Login roles by name (PostgreSQL identifier: lower-case letters, digits, '_', at most 63 bytes).",
                pattern = NameRules.ROLE, maxLength = NameRules.MAX_IDENTIFIER) Map<String, User> users,
        @Doc(value = "Databases by name (PostgreSQL identifier, at most 52 bytes so that its group roles fit).",
                pattern = NameRules.DATABASE, maxLength = NameRules.MAX_DATABASE) Map<String, Database> databases,
        @Doc("Periodic backups with restic to S3.") Backup backup,
        @Doc("pgfleet's extension of the `Postgres` API (not in the reference): a PgBouncer connection pooler in front of the instance.")
        Pooler pooler) {

    /** A bare {@code name:} entry under users or databases means an entry with every default. */
    public PostgresSpec {
        users = withDefaultsForNull(users, User.empty());
        databases = withDefaultsForNull(databases, new Database(null, null));
    }

    public static final boolean DEFAULT_EXTERNAL = false;
    public static final String DEFAULT_SIZE = "10Gi";
    public static final int DEFAULT_REPLICAS = 2;
    public static final String DEFAULT_STORAGE_CLASS = "replicated";

    /** This spec with every absent field replaced by its documented default. */
    public PostgresSpec effective() {
        return new PostgresSpec(
                external == null ? DEFAULT_EXTERNAL : external,
                size == null ? DEFAULT_SIZE : size,
                replicas == null ? DEFAULT_REPLICAS : replicas,
                storageClass == null ? DEFAULT_STORAGE_CLASS : storageClass,
                postgresql == null ? new PostgresqlConfig(Map.of()) : postgresql.effective(),
                quorum == null ? new Quorum(0, 0) : quorum.effective(),
                users == null ? Map.of() : users,
                databases == null ? Map.of() : databases,
                backup == null ? Backup.disabled().effective() : backup.effective(),
                pooler == null ? Pooler.disabled().effective() : pooler.effective());
    }

    private static <V> Map<String, V> withDefaultsForNull(Map<String, V> map, V defaults) {
        if (map == null || map.values().stream().noneMatch(Objects::isNull)) {
            return map;
        }
        Map<String, V> copy = new LinkedHashMap<>(map);
        copy.replaceAll((key, value) -> value == null ? defaults : value);
        return copy;
    }
}
