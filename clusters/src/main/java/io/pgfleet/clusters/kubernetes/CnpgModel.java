package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.ClusterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.pgfleet.runtime.InstanceLabels;

/**
 * The CloudNativePG resources of an instance, rendered from its spec. Pure: no cluster needed.
 * Mapping: replicas → {@code spec.instances}; size → {@code spec.storage.size}; storageClass →
 * {@code spec.storage.storageClass}; parameters → {@code spec.postgresql.parameters} (strings);
 * quorum → {@code spec.minSyncReplicas}/{@code spec.maxSyncReplicas}; {@code enableSuperuserAccess: true}
 * (CNPG keeps the superuser in Secret {@code <name>-superuser}); {@code pg_stat_statements} in
 * {@code spec.postgresql.shared_preload_libraries}; when external, a LoadBalancer Service for the primary.
 */
public final class CnpgModel {

    /** The CloudNativePG Cluster resource type. */
    public static final ResourceDefinitionContext CLUSTER = new ResourceDefinitionContext.Builder()
            .withGroup("postgresql.cnpg.io").withVersion("v1").withKind("Cluster").withPlural("clusters").withNamespaced(true).build();
    public static final String MANAGED_BY = InstanceLabels.MANAGED_BY;
    public static final String INSTANCE_LABEL = InstanceLabels.INSTANCE;
    public static final int POSTGRES_PORT = 5432;

    private CnpgModel() {
    }

    /** Labels that say pgfleet manages the resource, and for which instance. */
    public static Map<String, String> labels(InstanceKey key) {
        return InstanceLabels.of(key);
    }

    /** The Cluster of an instance. */
    public static GenericKubernetesResource cluster(InstanceKey key, ClusterSpec spec) {
        GenericKubernetesResource cluster = new GenericKubernetesResource();
        cluster.setApiVersion("postgresql.cnpg.io/v1");
        cluster.setKind("Cluster");
        cluster.setMetadata(new ObjectMetaBuilder().withName(key.name()).withNamespace(key.namespace()).withLabels(labels(key)).build());
        Map<String, Object> storage = new LinkedHashMap<>();
        storage.put("size", spec.size());
        storage.put("storageClass", spec.storageClass());
        Map<String, Object> postgresql = new LinkedHashMap<>();
        postgresql.put("parameters", new LinkedHashMap<>(spec.parameters()));
        postgresql.put("shared_preload_libraries", List.of("pg_stat_statements"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instances", spec.replicas());
        body.put("enableSuperuserAccess", true);
        body.put("storage", storage);
        body.put("postgresql", postgresql);
        body.put("minSyncReplicas", spec.minSyncReplicas());
        body.put("maxSyncReplicas", spec.maxSyncReplicas());
        if (spec.archive()) {
            // The members archive their WAL through the Barman Cloud plugin to the store the backup-worker declares.
            body.put("plugins", BarmanModel.plugins(key));
        }
        cluster.setAdditionalProperty("spec", body);
        return cluster;
    }

    /** The name of the external Service. */
    public static String externalServiceName(InstanceKey key) {
        return key.name() + "-external";
    }

    /** The LoadBalancer Service that exposes the primary outside the cluster. */
    public static Service externalService(InstanceKey key) {
        return new ServiceBuilder()
                .withNewMetadata().withName(externalServiceName(key)).withNamespace(key.namespace()).withLabels(labels(key)).endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .withSelector(Map.of("cnpg.io/cluster", key.name(), "cnpg.io/instanceRole", "primary"))
                .addNewPort().withName("postgres").withProtocol("TCP").withPort(POSTGRES_PORT)
                .withNewTargetPort(POSTGRES_PORT).endPort()
                .endSpec()
                .build();
    }

    /** The Secret in which CloudNativePG keeps the superuser's credential. */
    public static String superuserSecret(InstanceKey key) {
        return key.name() + "-superuser";
    }

    /** The read-write Service CloudNativePG makes for the primary. */
    public static String primaryService(InstanceKey key) {
        return key.name() + "-rw";
    }
}
