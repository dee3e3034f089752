package io.pgfleet.clusters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.clusters.ClusterSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The four reference examples rendered as CloudNativePG resources, field by field. */
class CnpgModelTest {

    private static Postgres example(int index) {
        return PayloadReader.fromText(ReferenceExamples.documents().get(index).text(), Postgres.class).value();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource cluster) {
        return (Map<String, Object>) cluster.getAdditionalProperties().get("spec");
    }

    private static GenericKubernetesResource render(Postgres doc) {
        return CnpgModel.cluster(new InstanceKey("tenant-a", doc.metadata().name()), ClusterSpec.of(doc.spec()));
    }

    @Test
    void theMinimalExampleUsesTheDefaults() {
        GenericKubernetesResource cluster = render(example(0));
        assertThat(cluster.getApiVersion()).isEqualTo("postgresql.cnpg.io/v1");
        assertThat(cluster.getKind()).isEqualTo("Cluster");
        assertThat(cluster.getMetadata().getName()).isEqualTo("postgres-minimal");
        assertThat(cluster.getMetadata().getNamespace()).isEqualTo("tenant-a");
        assertThat(cluster.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "pgfleet")
                .containsEntry("pgfleet.io/instance", "postgres-minimal");
        assertThat(spec(cluster)).containsEntry("instances", 2)
                // no superuser password: pgfleet signs in with a certificate of the instance's own client CA
                .containsEntry("enableSuperuserAccess", false)
                .containsEntry("certificates", Map.of("clientCASecret", "postgres-minimal.client-ca",
                        "replicationTLSSecret", "postgres-minimal.replication"))
                .doesNotContainKeys("minSyncReplicas", "maxSyncReplicas")
                // a dead or hung primary: restarted by its liveness probe within about 10 s, failed over at once
                .containsEntry("failoverDelay", 0).containsEntry("switchoverDelay", 60)
                .containsEntry("probes", Map.of("liveness", Map.of("periodSeconds", 5, "failureThreshold", 2,
                        "isolationCheck", Map.of("enabled", true, "requestTimeout", 1000, "connectionTimeout", 1000))))
                .containsEntry("storage", Map.of("size", "10Gi", "storageClass", "replicated"))
                .containsEntry("postgresql", Map.of("parameters", Map.of(), "shared_preload_libraries", List.of("pg_stat_statements"),
                        "pg_hba", List.of("hostssl all postgres all cert")));
    }

    @Test
    void theCompleteExampleMapsEveryClusterField() {
        Map<String, Object> spec = spec(render(example(1)));
        assertThat(spec).containsEntry("instances", 3).doesNotContainKeys("minSyncReplicas", "maxSyncReplicas")
                .containsEntry("storage", Map.of("size", "50Gi", "storageClass", "replicated"))
                .containsEntry("postgresql", Map.of(
                        "parameters", Map.of("max_connections", "200", "shared_buffers", "256MB", "effective_cache_size", "1GB"),
                        "shared_preload_libraries", List.of("pg_stat_statements"),
                        "pg_hba", List.of("hostssl all postgres all cert"),
                        // quorum 1-2: at least one standby has every write, and only such a standby is promoted
                        "synchronous", Map.of("method", "any", "number", 1, "dataDurability", "required", "failoverQuorum", true)));
    }

    @Test
    void theHighAvailabilityExampleKeepsEveryParameterAsAString() {
        Map<String, Object> spec = spec(render(example(2)));
        assertThat(spec).containsEntry("instances", 5).containsEntry("storage", Map.of("size", "100Gi", "storageClass", "replicated"));
        assertThat(((Map<?, ?>) spec.get("postgresql")).get("synchronous"))
                .isEqualTo(Map.of("method", "any", "number", 2, "dataDurability", "required", "failoverQuorum", true));
        assertThat(((Map<?, ?>) spec.get("postgresql")).get("parameters")).isEqualTo(Map.of(
                "max_connections", "500", "shared_buffers", "512MB", "effective_cache_size", "2GB", "wal_buffers", "16MB",
                "checkpoint_completion_target", "0.9", "wal_writer_delay", "200ms", "default_statistics_target", "100",
                "random_page_cost", "1.1", "effective_io_concurrency", "200"));
    }

    @Test
    void theDevelopmentExampleUsesItsStorageClass() {
        Map<String, Object> spec = spec(render(example(3)));
        assertThat(spec).containsEntry("instances", 1).containsEntry("storage", Map.of("size", "5Gi", "storageClass", "local"));
        assertThat(((Map<?, ?>) spec.get("postgresql")).get("parameters")).isEqualTo(Map.of("max_connections", "50", "shared_buffers", "128MB"));
    }

    @Test
    void aQuorumWithoutAMinimumKeepsItsStandbysSynchronousWhileTheyAreThere() {
        ClusterSpec spec = new ClusterSpec(false, "10Gi", 3, "replicated", Map.of(), 0, 2);
        assertThat(CnpgModel.synchronous(spec)).contains(Map.of("method", "any", "number", 2, "dataDurability", "preferred",
                "failoverQuorum", true));
        assertThat(CnpgModel.synchronous(new ClusterSpec(false, "10Gi", 3, "replicated", Map.of(), 0, 0))).isEmpty();
        GenericKubernetesResource cluster = CnpgModel.cluster(new InstanceKey("tenant-a", "preferred"), spec);
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", cluster)).isEmpty();
    }

    @Test
    void anExternalInstanceGetsALoadBalancerForItsPrimary() {
        Service service = CnpgModel.externalService(new InstanceKey("tenant-a", "postgres-ha"));
        assertThat(service.getMetadata().getName()).isEqualTo("postgres-ha-external");
        assertThat(service.getMetadata().getNamespace()).isEqualTo("tenant-a");
        assertThat(service.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "pgfleet");
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getSelector()).isEqualTo(Map.of("cnpg.io/cluster", "postgres-ha", "cnpg.io/instanceRole", "primary"));
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(5432);
            assertThat(port.getTargetPort().getIntVal()).isEqualTo(5432);
        });
    }

    @Test
    void everyExampleRendersAClusterTheCloudNativePgCrdAccepts() {
        for (int example = 0; example < 4; example++) {
            GenericKubernetesResource cluster = render(example(example));
            assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", cluster)).as(cluster.getMetadata().getName()).isEmpty();
        }
        // and the schema does refuse what it must: a field it does not know, a wrong type
        GenericKubernetesResource wrong = render(example(0));
        spec(wrong).put("instance", 2);
        spec(wrong).put("minSyncReplicas", "one");
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", wrong)).hasSize(2)
                .anyMatch(m -> m.contains("instance")).anyMatch(m -> m.contains("minSyncReplicas"));
    }

    @Test
    void theStatusASwitchoverWritesIsTheOneTheCrdDescribes() {
        GenericKubernetesResource cluster = render(example(1));
        cluster.setAdditionalProperty("status", Map.of("currentPrimary", "postgres-complete-1", "targetPrimary", "postgres-complete-3",
                "targetPrimaryTimestamp", "2026-11-30T18:00:00Z", "phase", "Switchover in progress", "phaseReason",
                "Switching over to postgres-complete-3", "readyInstances", 3));
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", cluster)).isEmpty();
    }
}
