package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/** What CloudNativePG reports in a Cluster's status. */
record ClusterStatus(int readyInstances, String phase, String currentPrimary, List<String> instanceNames, List<String> healthy) {

    @SuppressWarnings("unchecked")
    static ClusterStatus of(GenericKubernetesResource cluster) {
        Object raw = cluster.getAdditionalProperties().get("status");
        if (!(raw instanceof Map<?, ?>)) {
            return new ClusterStatus(0, "", "", List.of(), List.of());
        }
        Map<String, Object> status = (Map<String, Object>) raw;
        Object ready = status.get("readyInstances");
        Object names = status.get("instanceNames");
        Object instancesStatus = status.get("instancesStatus");
        List<String> healthy = instancesStatus instanceof Map<?, ?> map && map.get("healthy") instanceof List<?> list
                ? (List<String>) list : List.of();
        return new ClusterStatus(ready instanceof Number n ? n.intValue() : 0, String.valueOf(status.getOrDefault("phase", "")),
                String.valueOf(status.getOrDefault("currentPrimary", "")), names instanceof List<?> l ? (List<String>) l : List.of(), healthy);
    }
}
