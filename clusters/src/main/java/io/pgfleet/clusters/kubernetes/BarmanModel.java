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
import io.pgfleet.events.json.Json;

/**
 * Point-in-time recovery with CloudNativePG's Barman Cloud plugin ({@code barman-cloud.cloudnative-pg.io}), rendered
 * from the same document as the Cluster (pure: no API calls): the instance's {@code ObjectStore}
 * ({@code barmancloud.cnpg.io/v1}, WAL and base backups under {@code <destination>/<name>}, lz4-compressed, at most 4
 * WAL files in parallel, encrypted by the bucket ({@code AES256}), kept for the window of {@code cleanupStrategy}), the
 * Cluster's {@code spec.plugins} entry that makes it the WAL archiver, the {@code ScheduledBackup} (method
 * {@code plugin}) on the document's schedule, and a Cluster bootstrapped by recovery from a store to a time. The S3 keys are read from the instance's backup Secret ({@code <name>-backup}, keys {@code s3AccessKey},
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
        return plugins(key, null);
    }

    /**
     * The same, archiving under {@code serverName} in the store ({@code null}: the Cluster's name; a Cluster recovered in
     * place archives under a name of its own, since the plugin refuses to archive into a server's WAL that is not empty).
     */
    public static List<Map<String, Object>> plugins(InstanceKey key, String serverName) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("barmanObjectName", objectStoreName(key));
        if (serverName != null) {
            parameters.put("serverName", serverName);
        }
        Map<String, Object> plugin = new LinkedHashMap<>();
        plugin.put("name", PLUGIN);
        plugin.put("isWALArchiver", true);
        plugin.put("parameters", parameters);
        return List.of(plugin);
    }

    /** The server name a Cluster's WAL is archived under in its store: {@code serverName} of its plugin, else its name. */
    public static String serverName(GenericKubernetesResource cluster) {
        Object spec = cluster.getAdditionalProperties().get("spec");
        if (spec instanceof Map<?, ?> body && body.get("plugins") instanceof List<?> plugins) {
            for (Object plugin : plugins) {
                if (plugin instanceof Map<?, ?> entry && PLUGIN.equals(entry.get("name")) && entry.get("parameters") instanceof Map<?, ?> parameters
                        && parameters.get("serverName") instanceof String name) {
                    return name;
                }
            }
        }
        return cluster.getMetadata().getName();
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

    /** The annotation naming the restore command a Cluster was bootstrapped by. */
    public static final String RESTORE_ANNOTATION = "pgfleet.io/restore-command";

    /**
     * A Cluster like {@code base} (its name, labels and spec) bootstrapped by recovering {@code sourceServer}'s WAL and base
     * backups in {@code source}'s store to {@code targetTime}, then archiving to its own store under {@code serverName};
     * annotated with the restore command.
     */
    public static GenericKubernetesResource recoveryCluster(GenericKubernetesResource base, InstanceKey source, String sourceServer,
                                                            Instant targetTime, String serverName, String commandId) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = Json.mapper().convertValue(base.getAdditionalProperties().get("spec"), Map.class);
        recoverFrom(body, source, sourceServer, targetTime);
        InstanceKey key = new InstanceKey(base.getMetadata().getNamespace(), base.getMetadata().getName());
        body.put("plugins", plugins(key, serverName));
        GenericKubernetesResource cluster = new GenericKubernetesResource();
        cluster.setApiVersion(base.getApiVersion());
        cluster.setKind(base.getKind());
        cluster.setMetadata(new ObjectMetaBuilder().withName(key.name()).withNamespace(key.namespace())
                .withLabels(base.getMetadata().getLabels()).withAnnotations(Map.of(RESTORE_ANNOTATION, commandId)).build());
        cluster.setAdditionalProperty("spec", body);
        return cluster;
    }

    /**
     * Puts into a Cluster's {@code spec} what has CloudNativePG bootstrap it by recovering {@code sourceServer}'s base
     * backups and WAL in {@code source}'s store to {@code targetTime}: {@code bootstrap.recovery} and the
     * {@code externalClusters} entry it names.
     */
    static void recoverFrom(Map<String, Object> spec, InstanceKey source, String sourceServer, Instant targetTime) {
        Map<String, Object> recovery = new LinkedHashMap<>();
        recovery.put("source", "origin");
        recovery.put("recoveryTarget", Map.of("targetTime", targetTime.toString()));
        spec.put("bootstrap", Map.of("recovery", recovery));
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("name", "origin");
        origin.put("plugin", Map.of("name", PLUGIN, "parameters", Map.of("barmanObjectName", objectStoreName(source), "serverName", sourceServer)));
        spec.put("externalClusters", List.of(origin));
    }

    /**
     * The spec the provisioner wants, with what a recovered Cluster must keep: its {@code bootstrap} and
     * {@code externalClusters} (they made it) and the server name it archives under.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> keepRecovery(Map<String, Object> wanted, GenericKubernetesResource existing) {
        Map<String, Object> had = (Map<String, Object>) existing.getAdditionalProperties().get("spec");
        if (had == null || !(had.get("bootstrap") instanceof Map<?, ?> bootstrap) || !bootstrap.containsKey("recovery")) {
            return wanted;
        }
        Map<String, Object> kept = new LinkedHashMap<>(wanted);
        kept.put("bootstrap", had.get("bootstrap"));
        if (had.containsKey("externalClusters")) {
            kept.put("externalClusters", had.get("externalClusters"));
        }
        if (kept.containsKey("plugins")) {
            InstanceKey key = new InstanceKey(existing.getMetadata().getNamespace(), existing.getMetadata().getName());
            String server = serverName(existing);
            kept.put("plugins", plugins(key, server.equals(key.name()) ? null : server));
        }
        return kept;
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
