package io.pgfleet.runtime;

import io.pgfleet.events.InstanceKey;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Kubernetes labels of everything pgfleet makes for an instance (Cluster, Service, Secrets). */
public final class InstanceLabels {

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String INSTANCE = "pgfleet.io/instance";

    private InstanceLabels() {
    }

    /** Labels that say pgfleet manages the resource, and for which instance. */
    public static Map<String, String> of(InstanceKey key) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "pgfleet");
        labels.put(INSTANCE, key.name());
        return labels;
    }
}
