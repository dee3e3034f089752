package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.events.InstanceKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Point-in-time recovery with CloudNativePG's Barman Cloud plugin ({@code barman-cloud.cloudnative-pg.io}), rendered
 * from the same document as the Cluster (pure: no API calls): the instance's {@code ObjectStore}
 * ({@code barmancloud.cnpg.io/v1}, WAL and base backups under {@code <destination>/<name>}, lz4-compressed, at most 4
 * WAL files in parallel, encrypted by the bucket ({@code AES256}), kept for the window of {@code cleanupStrategy}), the
 * Cluster's {@code spec.plugins} entry that makes it the WAL archiver, the {@code ScheduledBackup} (method
 * {@code plugin}) on the document's schedule, and a Cluster bootstrapped by recovery from another instance's store to a
 * time. The S3 keys are read from the instance's backup Secret ({@code <name>-backup}, keys {@code s3AccessKey},
 * {@code s3SecretKey}), never written into a manifest.
 */
public final class BarmanModel {

    /** The plugin's name in {@code spec.plugins} and {@code pluginConfiguration}. */
    public static final String PLUGIN = "barman-cloud.cloudnative-pg.io";
    public static final ResourceDefinitionContext OBJECT_STORE = new ResourceDefinitionContext.Builder()
            .withGroup("barmancloud.cnpg.io").withVersion("v1").withKind("ObjectStore").withPlural("objectstores").withNamespaced(true).build();
    public static final ResourceDefinitionContext SCHEDULED_BACKUP = new ResourceDefinitionContext.Builder()
            .withGroup("postgresql.cnpg.io").withVersion("v1").withKind("ScheduledBackup").withPlural("scheduledbackups").withNamespaced(true).build();

    /**
     * Where an instance's WAL and base backups go.
     *
     * @param destinationPath {@code s3://<bucket>[/<prefix>]/_wal/<namespace>} (the server name, the instance's, is appended)
     * @param endpointUrl     {@code https://host[:port]}, or {@code null} for AWS
     * @param schedule        the document's 5-field cron schedule (UTC)
     * @param windowDays      how many days back a restore may reach ({@code RetentionPolicy.windowDays()})
     */
    public record Archive(String destinationPath, String endpointUrl, String schedule, int windowDays) {
    }

    private BarmanModel() {
    }

    /** The name of an instance's ObjectStore. */
    public static String objectStoreName(InstanceKey key) {
        return key.name() + "-archive";
    }

    public static GenericKubernetesResource objectStore(InstanceKey key, Archive archive) {
        Map<String, Object> credentials = new LinkedHashMap<>();
        credentials.put("accessKeyId", Map.of("name", key.name() + "-backup", "key", "s3AccessKey"));
        credentials.put("secretAccessKey", Map.of("name", key.name() + "-backup", "key", "s3SecretKey"));
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("destinationPath", archive.destinationPath());
        if (archive.endpointUrl() != null) {
            configuration.put("endpointURL", archive.endpointUrl());
        }
        configuration.put("s3Credentials", credentials);
        configuration.put("wal", Map.of("compression", "lz4", "encryption", "AES256", "maxParallel", 4));
        configuration.put("data", Map.of("compression", "snappy", "encryption", "AES256", "jobs", 2));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("configuration", configuration);
        spec.put("retentionPolicy", archive.windowDays() + "d");
        return resource("barmancloud.cnpg.io/v1", "ObjectStore", key, objectStoreName(key), spec);
    }

    /** The Cluster's {@code spec.plugins}: the Barman Cloud plugin archives its WAL to the instance's ObjectStore. */
    public static List<Map<String, Object>> plugins(InstanceKey key) {
        Map<String, Object> plugin = new LinkedHashMap<>();
        plugin.put("name", PLUGIN);
        plugin.put("isWALArchiver", true);
        plugin.put("parameters", Map.of("barmanObjectName", objectStoreName(key)));
        return List.of(plugin);
    }

    /** A base backup on the document's schedule (CloudNativePG's schedules have a seconds field first). */
    public static GenericKubernetesResource scheduledBackup(InstanceKey key, Archive archive) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("cluster", Map.of("name", key.name()));
        spec.put("schedule", "0 " + archive.schedule());
        spec.put("method", "plugin");
        spec.put("pluginConfiguration", Map.of("name", PLUGIN));
        spec.put("backupOwnerReference", "self");
        spec.put("immediate", true);
        return resource("postgresql.cnpg.io/v1", "ScheduledBackup", key, key.name() + "-base", spec);
    }

    /**
     * The Cluster of {@code key} bootstrapped by recovering {@code source}'s archive to {@code targetTime} (in place: the
     * same name as the source, the old Cluster replaced), then archiving to its own store.
     */
    public static GenericKubernetesResource recoveryCluster(InstanceKey key, ClusterSpec spec, InstanceKey source, Instant targetTime) {
        GenericKubernetesResource cluster = CnpgModel.cluster(key, spec);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) cluster.getAdditionalProperties().get("spec");
        Map<String, Object> recovery = new LinkedHashMap<>();
        recovery.put("source", "origin");
        recovery.put("recoveryTarget", Map.of("targetTime", targetTime.toString()));
        body.put("bootstrap", Map.of("recovery", recovery));
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("name", "origin");
        origin.put("plugin", Map.of("name", PLUGIN, "parameters", Map.of("barmanObjectName", objectStoreName(source), "serverName", source.name())));
        body.put("externalClusters", List.of(origin));
        body.put("plugins", plugins(key));
        return cluster;
    }

    private static GenericKubernetesResource resource(String apiVersion, String kind, InstanceKey key, String name, Map<String, Object> spec) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion(apiVersion);
        resource.setKind(kind);
        resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(key.namespace()).withLabels(CnpgModel.labels(key)).build());
        resource.setAdditionalProperty("spec", spec);
        return resource;
    }
}
