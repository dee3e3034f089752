package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.pgfleet.events.InstanceKey;
import java.util.Map;

/**
 * What pgfleet may touch in Kubernetes: what carries its labels for that instance ({@link CnpgModel#labels}), and the
 * Secrets CloudNativePG made for such a Cluster (label {@code cnpg.io/cluster} or an owner reference to the Cluster).
 */
final class Ownership {

    /** The label CloudNativePG puts on what it makes for a Cluster. */
    static final String CNPG_CLUSTER = "cnpg.io/cluster";

    private Ownership() {
    }

    /** Whether the resource is pgfleet's, for this instance. */
    static boolean owns(InstanceKey key, ObjectMeta metadata) {
        Map<String, String> labels = metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
        return labels.entrySet().containsAll(CnpgModel.labels(key).entrySet());
    }

    /** Whether CloudNativePG made the Secret for this instance's Cluster. */
    static boolean madeByCnpgFor(InstanceKey key, ObjectMeta metadata) {
        if (metadata == null) {
            return false;
        }
        boolean labelled = metadata.getLabels() != null && key.name().equals(metadata.getLabels().get(CNPG_CLUSTER));
        boolean owned = metadata.getOwnerReferences() != null && metadata.getOwnerReferences().stream()
                .anyMatch(owner -> "Cluster".equals(owner.getKind()) && key.name().equals(owner.getName())
                        && owner.getApiVersion() != null && owner.getApiVersion().startsWith("postgresql.cnpg.io/"));
        return labelled || owned;
    }

    /** Why a resource is left alone. */
    static String notOurs(String what, InstanceKey key) {
        return what + " " + key.name() + " in namespace " + key.namespace() + " exists but is not pgfleet's (it lacks the labels "
                + CnpgModel.labels(key) + "): pgfleet does not update, delete or read what it did not create";
    }
}
