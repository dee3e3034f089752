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
import java.util.Optional;
import io.pgfleet.runtime.InstanceLabels;

/**
 * The CloudNativePG resources of an instance, rendered from its spec. Pure: no cluster needed.
 * Mapping: replicas → {@code spec.instances}; size → {@code spec.storage.size}; storageClass →
 * {@code spec.storage.storageClass}; parameters → {@code spec.postgresql.parameters} (strings);
 * quorum → {@code spec.postgresql.synchronous} (below); {@code enableSuperuserAccess: false} and the superuser signing in
 * with a client certificate of the instance's own client CA ({@link ClientCertificates}); {@code pg_stat_statements} in
 * {@code spec.postgresql.shared_preload_libraries}; when external, a LoadBalancer Service for the primary.
 *
 * <p>A primary that dies or hangs is replaced as the local driver replaces it ({@link #LIVENESS}): the liveness probe
 * (every 5 s, failed after 2 misses, with CloudNativePG's isolation check) has the kubelet restart a primary that no longer
 * answers, or that lost both the API server and its standbys, within about 10 s; {@code failoverDelay: 0} then fails over
 * at once; a switchover gives the old primary {@code switchoverDelay} (60 s, not CloudNativePG's hour) to shut down
 * cleanly. Failovers promote only a standby that has every acknowledged write: the quorum is CloudNativePG 1.30's
 * {@code postgresql.synchronous} with {@code method: any} and {@code failoverQuorum: true}, not the legacy
 * {@code minSyncReplicas}/{@code maxSyncReplicas}.
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
        postgresql.put("pg_hba", List.of(SUPERUSER_BY_CERTIFICATE));
        synchronous(spec).ifPresent(synchronous -> postgresql.put("synchronous", synchronous));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instances", spec.replicas());
        // No superuser password anywhere: pgfleet authenticates as postgres with a certificate of the instance's client CA.
        body.put("enableSuperuserAccess", false);
        body.put("certificates", Map.of("clientCASecret", ClientCertificates.caSecret(key),
                "replicationTLSSecret", ClientCertificates.replicationSecret(key)));
        body.put("storage", storage);
        body.put("postgresql", postgresql);
        body.put("failoverDelay", 0);
        body.put("switchoverDelay", SWITCHOVER_DELAY_SECONDS);
        body.put("probes", Map.of("liveness", LIVENESS));
        if (spec.archive()) {
            // The members archive their WAL through the Barman Cloud plugin to the store the backup-worker declares.
            body.put("plugins", BarmanModel.plugins(key));
        }
        cluster.setAdditionalProperty("spec", body);
        return cluster;
    }

    /**
     * The superuser signs in with a client certificate only (CloudNativePG puts these rules after its own and before its
     * default password rule; with {@code enableSuperuserAccess: false} the superuser has no password anyway).
     */
    static final String SUPERUSER_BY_CERTIFICATE = "hostssl all postgres all cert";

    /** Seconds a primary has to shut down cleanly in a switchover before it is stopped. */
    static final int SWITCHOVER_DELAY_SECONDS = 60;

    /**
     * The members' liveness probe: every 5 s, failed after 2 misses, and for the primary CloudNativePG's isolation check
     * (isolated from both the API server and its standbys: shut down), each of its calls given 1 s.
     */
    static final Map<String, Object> LIVENESS = Map.of("periodSeconds", 5, "failureThreshold", 2,
            "isolationCheck", Map.of("enabled", true, "requestTimeout", 1000, "connectionTimeout", 1000));

    /**
     * The quorum as CloudNativePG's {@code postgresql.synchronous}: none without synchronous standbys; else {@code any} of
     * the standbys — at least {@code minSyncReplicas} of them always ({@code dataDurability: required}: writes wait rather
     * than go with fewer), or, with a minimum of 0, up to {@code maxSyncReplicas} while they are there
     * ({@code preferred}); and {@code failoverQuorum} so that a failover promotes only a standby that has every
     * acknowledged write.
     */
    static Optional<Map<String, Object>> synchronous(ClusterSpec spec) {
        if (spec.maxSyncReplicas() <= 0) {
            return Optional.empty();
        }
        boolean required = spec.minSyncReplicas() > 0;
        Map<String, Object> synchronous = new LinkedHashMap<>();
        synchronous.put("method", "any");
        synchronous.put("number", required ? spec.minSyncReplicas() : spec.maxSyncReplicas());
        synchronous.put("dataDurability", required ? "required" : "preferred");
        synchronous.put("failoverQuorum", true);
        return Optional.of(synchronous);
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

    /** The read-write Service CloudNativePG makes for the primary. */
    public static String primaryService(InstanceKey key) {
        return key.name() + "-rw";
    }
}
