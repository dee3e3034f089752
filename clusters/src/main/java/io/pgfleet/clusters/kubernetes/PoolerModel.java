package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.postgres.Pooler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An instance's connection pools as CloudNativePG {@code Pooler} resources (PgBouncer), rendered from the document's
 * {@code pooler} section: {@code <name>-pooler-rw} (CloudNativePG leads it to the primary, after a failover too) and, when
 * {@code readOnly}, {@code <name>-pooler-ro} (to the standbys), labelled like the Cluster. CloudNativePG runs the
 * lookup itself ({@code auth_query} through its own {@code cnpg_pooler_pgbouncer} role, by certificate) and gives each
 * Pooler a Service of its name. Pure.
 */
final class PoolerModel {

    /** The CloudNativePG Pooler resource type. */
    static final ResourceDefinitionContext POOLER = new ResourceDefinitionContext.Builder()
            .withGroup("postgresql.cnpg.io").withVersion("v1").withKind("Pooler").withPlural("poolers").withNamespaced(true).build();
    static final String RW = "rw";
    static final String RO = "ro";
    static final List<String> TYPES = List.of(RW, RO);

    private PoolerModel() {
    }

    /** The Pooler (and its Service) of a pool: {@code <name>-pooler-rw} or {@code -ro}. */
    static String name(InstanceKey key, String type) {
        return key.name() + "-pooler-" + type;
    }

    /** Whether the document asks for this pool. */
    static boolean wanted(ClusterSpec spec, String type) {
        return spec.pooler().enabled() && (type.equals(RW) || spec.pooler().readOnly());
    }

    /**
     * The Pooler of a pool: two PgBouncer pods where the instance has a standby (one pod would be the pool's single point
     * of failure), the document's mode and sizes.
     */
    static GenericKubernetesResource pooler(InstanceKey key, ClusterSpec spec, String type) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion("postgresql.cnpg.io/v1");
        resource.setKind("Pooler");
        resource.setMetadata(new ObjectMetaBuilder().withName(name(key, type)).withNamespace(key.namespace()).withLabels(CnpgModel.labels(key)).build());
        resource.setAdditionalProperty("spec", spec(key, spec, type));
        return resource;
    }

    /** The Pooler's spec alone (what is compared with the one in the cluster). */
    static Map<String, Object> spec(InstanceKey key, ClusterSpec spec, String type) {
        Pooler pooler = spec.pooler();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("max_client_conn", Integer.toString(pooler.maxClientConnections()));
        parameters.put("default_pool_size", Integer.toString(pooler.defaultPoolSize()));
        Map<String, Object> pgbouncer = new LinkedHashMap<>();
        pgbouncer.put("poolMode", pooler.mode());
        pgbouncer.put("parameters", parameters);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cluster", Map.of("name", key.name()));
        body.put("instances", spec.replicas() > 1 ? 2 : 1);
        body.put("type", type);
        body.put("pgbouncer", pgbouncer);
        return body;
    }
}
