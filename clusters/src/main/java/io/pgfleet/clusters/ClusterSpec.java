package io.pgfleet.clusters;

import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.postgres.Pooler;
import io.pgfleet.events.postgres.PostgresSpec;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * The provisioner's part of a {@code Postgres} document, with defaults filled in: what the cluster
 * itself looks like. It holds no secret, so it can be stored and shown as it is.
 *
 * @param external        reachable from outside
 * @param size            volume size per member (Kubernetes quantity)
 * @param replicas        number of members
 * @param storageClass    storage class of the volumes
 * @param parameters      PostgreSQL settings as the text PostgreSQL reads, sorted by name
 * @param minSyncReplicas quorum minimum
 * @param maxSyncReplicas quorum maximum
 * @param archive         the members archive their WAL (backups are enabled: point-in-time recovery)
 * @param pooler          the connection pooler in front of it, with its defaults (disabled when the document has none)
 */
public record ClusterSpec(boolean external, String size, int replicas, String storageClass, Map<String, String> parameters,
                          int minSyncReplicas, int maxSyncReplicas, Boolean archive, Pooler pooler) {

    /** No pooler: what a document without a {@code pooler} section (and a spec stored before there was one) has. */
    public static final Pooler NO_POOLER = new Pooler(false, null, null, null, null).effective();

    public ClusterSpec {
        parameters = new TreeMap<>(parameters);
        // A spec stored before archiving existed has no such field: it did not archive.
        archive = archive != null && archive;
        pooler = pooler == null ? NO_POOLER : pooler.effective();
    }

    /** A cluster that does not archive its WAL, without a pooler. */
    public ClusterSpec(boolean external, String size, int replicas, String storageClass, Map<String, String> parameters,
                       int minSyncReplicas, int maxSyncReplicas) {
        this(external, size, replicas, storageClass, parameters, minSyncReplicas, maxSyncReplicas, false, null);
    }

    /** The cluster part of a document. */
    public static ClusterSpec of(PostgresSpec spec) {
        PostgresSpec effective = spec.effective();
        Map<String, String> parameters = new TreeMap<>();
        effective.postgresql().parameters().forEach((name, value) -> parameters.put(name, settingText(value)));
        return new ClusterSpec(effective.external(), effective.size(), effective.replicas(), effective.storageClass(), parameters,
                effective.quorum().minSyncReplicas(), effective.quorum().maxSyncReplicas(),
                effective.backup().enabled() && effective.backup().s3Bucket() != null, effective.pooler());
    }

    /** This spec changed by a scale command (absent fields stay as they are). */
    public ClusterSpec scaled(ScaleCommand scale) {
        int min = minSyncReplicas;
        int max = maxSyncReplicas;
        if (scale.quorum() != null) {
            min = scale.quorum().minSyncReplicas() != null ? scale.quorum().minSyncReplicas() : min;
            max = scale.quorum().maxSyncReplicas() != null ? scale.quorum().maxSyncReplicas() : max;
        }
        return new ClusterSpec(external, scale.size() != null ? scale.size() : size,
                scale.replicas() != null ? scale.replicas() : replicas, storageClass, parameters, min, max, archive, pooler);
    }

    /** A document value as PostgreSQL reads it: 0.9 stays 0.9, 200 stays 200, true becomes on. */
    static String settingText(Object value) {
        if (value instanceof Boolean b) {
            return b ? "on" : "off";
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            return new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
        }
        return value.toString();
    }
}
