package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgfleet.clusters.Recovery;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.job.Step;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.List;

/**
 * A point-in-time restore on Kubernetes, one step per call ({@link RestorePlan} decides which): the instance's
 * {@code Cluster} replaced under its name by one CloudNativePG bootstraps with {@code recovery} from a Barman Cloud store
 * to the time. The plan is recorded first in ConfigMap {@code <name>-restore} (command, time, source store and server, the
 * Cluster to make; no secret), so that a killed worker's successor, which can no longer read the deleted original,
 * finishes it; the provisioner's steps wait while that record exists. The recovered Cluster archives under a server name
 * of its own ({@code <name>-<8 hex of the command>}): the plugin refuses to archive into a server's WAL that is not empty.
 * Kubernetes calls: get/create/delete on clusters, get/create/update/delete on configmaps.
 */
final class KubernetesRestore {

    private final KubernetesClient client;

    KubernetesRestore(KubernetesClient client) {
        this.client = client;
    }

    static String recordName(InstanceKey key) {
        return key.name() + "-restore";
    }

    /** The instance's unfinished restore (pgfleet's record of it), when one is under way. */
    Optional<ConfigMap> underWay(InstanceKey key) {
        ConfigMap record = client.configMaps().inNamespace(key.namespace()).withName(recordName(key)).get();
        return record != null && Ownership.owns(key, record.getMetadata()) ? Optional.of(record) : Optional.empty();
    }

    Step step(InstanceKey key, Recovery recovery) {
        InstanceKey source = recovery.source() == null ? key : recovery.source();
        if (!source.namespace().equals(key.namespace())) {
            return Step.failed("on Kubernetes an instance is restored from a store in its own namespace; " + source + " is in another");
        }
        var clusters = client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(key.namespace());
        GenericKubernetesResource cluster = clusters.withName(key.name()).get();
        if (cluster != null && !Ownership.owns(key, cluster.getMetadata())) {
            return Step.failed(Ownership.notOurs("Cluster", key));
        }
        ConfigMap existing = client.configMaps().inNamespace(key.namespace()).withName(recordName(key)).get();
        if (existing != null && !Ownership.owns(key, existing.getMetadata())) {
            return Step.failed(Ownership.notOurs("ConfigMap " + recordName(key) + " for", key));
        }
        RestorePlan.RecordSeen record = existing == null ? RestorePlan.RecordSeen.NONE
                : recovery.commandId().equals(existing.getData().get("commandId")) ? RestorePlan.RecordSeen.THIS : RestorePlan.RecordSeen.ANOTHER;
        RestorePlan.ClusterSeen seen = seen(cluster, recovery.commandId());
        switch (RestorePlan.next(seen, record)) {
            case RECORD -> {
                if (seen == RestorePlan.ClusterSeen.ANOTHER && record == RestorePlan.RecordSeen.NONE) {
                    recovery.flush().run();   // the live original's WAL up to now reaches the store before it goes
                }
                record(key, source, recovery, cluster, existing);
                return Step.waitFor("the restore of " + key + " to " + recovery.target() + " is recorded in ConfigMap " + recordName(key)
                        + "; Cluster " + key.name() + " is replaced next", Duration.ofSeconds(1));
            }
            case DELETE_CLUSTER -> {
                clusters.withName(key.name()).delete();
                return Step.waitFor("Cluster " + key.name() + " deleted (its WAL is in store " + existing.getData().get("sourceStore")
                        + "); the recovered one is created next", Duration.ofSeconds(2));
            }
            case WAIT -> {
                return Step.waitFor(seen == RestorePlan.ClusterSeen.DELETING ? "waiting for Cluster " + key.name() + " to be deleted"
                        : "CloudNativePG recovers Cluster " + key.name() + " to " + recovery.target() + ": " + phase(cluster), Duration.ofSeconds(5));
            }
            case CREATE_RECOVERED -> {
                clusters.resource(Json.read(existing.getData().get("cluster"), GenericKubernetesResource.class)).create();
                return Step.waitFor("Cluster " + key.name() + " created to recover to " + recovery.target(), Duration.ofSeconds(5));
            }
            case FINISH -> {
                client.configMaps().inNamespace(key.namespace()).withName(recordName(key)).delete();
                return done(key, recovery, cluster);
            }
            case DONE -> {
                return done(key, recovery, cluster);
            }
            default -> {
                return Step.failed("instance " + key + " has no Cluster to restore into");
            }
        }
    }

    private static RestorePlan.ClusterSeen seen(GenericKubernetesResource cluster, String commandId) {
        if (cluster == null) {
            return RestorePlan.ClusterSeen.ABSENT;
        }
        if (cluster.getMetadata().getDeletionTimestamp() != null) {
            return RestorePlan.ClusterSeen.DELETING;
        }
        Map<String, String> annotations = cluster.getMetadata().getAnnotations();
        if (annotations == null || !commandId.equals(annotations.get(BarmanModel.RESTORE_ANNOTATION))) {
            return RestorePlan.ClusterSeen.ANOTHER;
        }
        int instances = ((Number) ((Map<?, ?>) cluster.getAdditionalProperties().get("spec")).get("instances")).intValue();
        return ClusterStatus.of(cluster).readyInstances() >= instances ? RestorePlan.ClusterSeen.RECOVERED
                : RestorePlan.ClusterSeen.RECOVERING;
    }

    /**
     * Writes the record: the Cluster to make from {@code cluster} (or, taking over another command's restore, from the
     * Cluster that one recorded), recovering the source's server as it was when the first restore began.
     */
    private ConfigMap record(InstanceKey key, InstanceKey source, Recovery recovery, GenericKubernetesResource cluster, ConfigMap before) {
        GenericKubernetesResource base = before != null ? Json.read(before.getData().get("cluster"), GenericKubernetesResource.class) : cluster;
        String sourceServer;
        if (source.equals(key)) {
            sourceServer = before != null ? before.getData().get("sourceServer") : BarmanModel.serverName(cluster);
        } else {
            GenericKubernetesResource other = client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(source.namespace())
                    .withName(source.name()).get();
            sourceServer = other == null ? source.name() : BarmanModel.serverName(other);
        }
        String serverName = key.name() + "-" + shortHash(recovery.commandId());
        GenericKubernetesResource recovered = BarmanModel.recoveryCluster(base, source, sourceServer, recovery.target(), serverName,
                recovery.commandId());
        Map<String, String> data = new LinkedHashMap<>();
        data.put("commandId", recovery.commandId());
        data.put("target", recovery.target().toString());
        data.put("sourceStore", BarmanModel.objectStoreName(source));
        data.put("sourceServer", sourceServer);
        data.put("serverName", serverName);
        data.put("cluster", Json.write(recovered));
        ConfigMap made = new ConfigMapBuilder().withNewMetadata().withName(recordName(key)).withNamespace(key.namespace())
                .withLabels(CnpgModel.labels(key)).endMetadata().withData(data).build();
        var configMaps = client.configMaps().inNamespace(key.namespace());
        return before == null ? configMaps.resource(made).create() : configMaps.resource(made).update();
    }

    private static Step done(InstanceKey key, Recovery recovery, GenericKubernetesResource cluster) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("target", recovery.target().toString());
        details.put("cluster", key.name());
        details.put("serverName", BarmanModel.serverName(cluster));
        String from = origin(cluster);
        details.put("recoveredFrom", from);
        return Step.done("restored to " + recovery.target() + " by CloudNativePG: Cluster " + key.name() + " recovered from " + from
                + ", healthy, archiving as " + BarmanModel.serverName(cluster), details);
    }

    /** {@code <store>/<server>} the Cluster was recovered from. */
    private static String origin(GenericKubernetesResource cluster) {
        Object external = ((Map<?, ?>) cluster.getAdditionalProperties().get("spec")).get("externalClusters");
        if (external instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> origin
                && origin.get("plugin") instanceof Map<?, ?> plugin && plugin.get("parameters") instanceof Map<?, ?> parameters) {
            return parameters.get("barmanObjectName") + "/" + parameters.get("serverName");
        }
        return "its store";
    }

    private static String phase(GenericKubernetesResource cluster) {
        ClusterStatus status = ClusterStatus.of(cluster);
        return status.readyInstances() + " ready" + (status.phase().isEmpty() ? "" : " (" + status.phase() + ")");
    }

    private static String shortHash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
