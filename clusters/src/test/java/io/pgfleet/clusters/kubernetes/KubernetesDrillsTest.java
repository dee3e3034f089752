package io.pgfleet.clusters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgfleet.clusters.ArchiveTarget;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.DrillServers;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Restore drills' Clusters on CloudNativePG, against fabric8's CRUD mock server (no API server can run here), each
 * rendered Cluster validated against CloudNativePG 1.30's CRD. (CloudNativePG's part — making the Cluster ready — is
 * played by the test, writing the status it would.)
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesDrillsTest {

    static KubernetesClient client;

    private static final ClusterSpec ARCHIVING = new ClusterSpec(false, "20Gi", 2, "fast", Map.of("max_connections", "200"), 0, 1, true, null);

    private KubernetesClusterDriver driver() {
        return new KubernetesClusterDriver(client, "svc");
    }

    /** An instance of pgfleet's, as the provisioner and the backup-worker leave it: its Cluster, archiving to its store. */
    private InstanceKey instance(KubernetesClusterDriver driver, String namespace, String name) {
        InstanceKey key = new InstanceKey(namespace, name);
        Step step = driver.apply(key, ARCHIVING);
        for (int i = 0; i < 10 && !step.message().contains("members ready"); i++) {
            step = driver.apply(key, ARCHIVING);
        }
        driver.declareArchive(key, new ArchiveTarget("s3://backups/_wal/" + namespace, null, "0 3 * * *", 7));
        return key;
    }

    private GenericKubernetesResource cluster(String namespace, String name) {
        return client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(namespace).withName(name).get();
    }

    /** What CloudNativePG reports once the Cluster's one instance is up. */
    private void ready(String namespace, String name) {
        GenericKubernetesResource cluster = cluster(namespace, name);
        cluster.setAdditionalProperty("status", Map.of("readyInstances", 1, "phase", "Cluster in healthy state", "currentPrimary", name + "-1"));
        client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(namespace).resource(cluster).update();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDrillOfABackupGetsAnEmptyClusterOfItsOwnThatAdmitsNoTenantRoleAndNeverArchives() {
        KubernetesClusterDriver driver = driver();
        InstanceKey key = instance(driver, "tenant-dk", "shop");
        DrillServers drills = driver.drills().orElseThrow();

        DrillServers.Made made = drills.start(key, "verify-7");
        assertThat(made.isReady()).isFalse();
        assertThat(made.waiting()).contains("Cluster pgfleet-verify-7 created");
        GenericKubernetesResource drill = cluster("tenant-dk", "pgfleet-verify-7");
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", drill)).isEmpty();
        // a drill's, not the instance's: nothing of the instance's (its delete, its observation) takes it for its own
        assertThat(drill.getMetadata().getLabels()).containsEntry("pgfleet.io/drill", "verify-7").containsEntry("pgfleet.io/drill-of", "shop")
                .doesNotContainKey(CnpgModel.INSTANCE_LABEL);
        assertThat(Ownership.owns(key, drill.getMetadata())).isFalse();
        String group = drill.getMetadata().getAnnotations().get(DrillModel.LOGIN_GROUP_ANNOTATION);
        assertThat(group).matches("pgfleet_drill_[0-9a-f]{16}");
        Map<String, Object> spec = (Map<String, Object>) drill.getAdditionalProperties().get("spec");
        assertThat(spec).containsEntry("instances", 1).containsEntry("enableSuperuserAccess", false)
                .containsEntry("storage", Map.of("size", "20Gi", "storageClass", "fast"))
                .containsEntry("bootstrap", Map.of("initdb", Map.of("database", "pgfleet_drill", "owner", "pgfleet_drill")))
                .containsEntry("certificates", Map.of("clientCASecret", "shop.client-ca", "replicationTLSSecret", "shop.replication"))
                .doesNotContainKeys("plugins", "externalClusters");
        Map<String, Object> postgresql = (Map<String, Object>) spec.get("postgresql");
        assertThat(postgresql.get("parameters")).isEqualTo(Map.of("max_connections", "200"));
        assertThat((List<String>) postgresql.get("pg_hba")).containsExactly("hostssl all postgres all cert",
                "hostssl all +" + group + " all scram-sha-256", "host all all all reject");

        // CloudNativePG makes it: the drill waits, then for its CA, then for its server to answer (not handed out meanwhile)
        assertThat(drills.start(key, "verify-7").waiting()).contains("CloudNativePG makes Cluster pgfleet-verify-7");
        ready("tenant-dk", "pgfleet-verify-7");
        assertThat(drills.start(key, "verify-7").waiting()).contains("waiting for its CA (Secret pgfleet-verify-7-ca)");
        client.secrets().inNamespace("tenant-dk").resource(new SecretBuilder().withNewMetadata().withName("pgfleet-verify-7-ca")
                .addToLabels("cnpg.io/cluster", "pgfleet-verify-7").endMetadata().addToData("ca.crt", b64(PEM)).build()).create();
        assertThat(drills.start(key, "verify-7").waiting()).contains("is ready but does not answer yet");
        assertThat(cluster("tenant-dk", "pgfleet-verify-7").getMetadata().getAnnotations()).containsEntry(DrillModel.LOGIN_GROUP_ANNOTATION, group);

        // found by the sweeper, for its instance; removed; removed again: nothing happens
        assertThat(drills.existing(List.of(key, new InstanceKey("tenant-other", "x"))))
                .containsExactly(new DrillServers.Found("verify-7", key));
        drills.remove(key, "verify-7");
        assertThat(cluster("tenant-dk", "pgfleet-verify-7")).isNull();
        assertThat(drills.existing(List.of(key))).isEmpty();
        drills.remove(key, "verify-7");
        assertThat(cluster("tenant-dk", "shop")).as("the instance's own Cluster").isNotNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDrillOfAPointInTimeIsRecoveredByCloudNativePgFromTheInstancesStoreAfterItsWalIsArchived() {
        KubernetesClusterDriver driver = driver();
        InstanceKey key = instance(driver, "tenant-dk", "ledger");
        DrillServers drills = driver.drills().orElseThrow();
        Instant at = Instant.parse("2026-12-07T10:15:30Z");
        int[] flushed = {0};

        assertThat(drills.recover(key, "verify-9", at, () -> flushed[0]++).waiting()).contains("recovering tenant-dk/ledger to " + at);
        assertThat(drills.recover(key, "verify-9", at, () -> flushed[0]++).isReady()).isFalse();
        assertThat(flushed[0]).as("the instance's WAL up to now archived once, before the Cluster was made").isEqualTo(1);
        GenericKubernetesResource drill = cluster("tenant-dk", "pgfleet-verify-9");
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", drill)).isEmpty();
        Map<String, Object> spec = (Map<String, Object>) drill.getAdditionalProperties().get("spec");
        assertThat(spec.get("bootstrap")).isEqualTo(Map.of("recovery", Map.of("source", "origin",
                "recoveryTarget", Map.of("targetTime", "2026-12-07T10:15:30Z"))));
        Map<String, Object> origin = ((List<Map<String, Object>>) spec.get("externalClusters")).get(0);
        assertThat(origin.get("plugin")).isEqualTo(Map.of("name", BarmanModel.PLUGIN,
                "parameters", Map.of("barmanObjectName", "ledger-archive", "serverName", "ledger")));
        assertThat(spec).as("it must never archive into the instance's store").doesNotContainKey("plugins");
        drills.remove(key, "verify-9");
        assertThat(cluster("tenant-dk", "pgfleet-verify-9")).isNull();
    }

    @Test
    void aClusterOfThatNameThatIsNotTheDrillsIsNeitherUsedNorDeletedAndATamperedLoginGroupIsNotPutIntoSql() {
        KubernetesClusterDriver driver = driver();
        InstanceKey key = instance(driver, "tenant-dk", "books");
        DrillServers drills = driver.drills().orElseThrow();
        GenericKubernetesResource foreign = new GenericKubernetesResource();
        foreign.setApiVersion("postgresql.cnpg.io/v1");
        foreign.setKind("Cluster");
        foreign.setMetadata(new ObjectMetaBuilder().withName("pgfleet-verify-8").withNamespace("tenant-dk").build());
        foreign.setAdditionalProperty("spec", Map.of("instances", 1, "storage", Map.of("size", "1Gi")));
        client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace("tenant-dk").resource(foreign).create();
        assertThatThrownBy(() -> drills.start(key, "verify-8")).hasMessageContaining("exists but is not drill verify-8's");
        drills.remove(key, "verify-8");
        assertThat(cluster("tenant-dk", "pgfleet-verify-8")).as("not pgfleet's drill: left alone").isNotNull();
        assertThat(drills.existing(List.of(key))).isEmpty();

        // someone who may write the tenant's namespace rewrites the drill's login group: it is refused, not executed
        drills.start(key, "verify-10");
        GenericKubernetesResource drill = cluster("tenant-dk", "pgfleet-verify-10");
        drill.getMetadata().setAnnotations(Map.of(DrillModel.LOGIN_GROUP_ANNOTATION, "x; ALTER ROLE tenant SUPERUSER"));
        client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace("tenant-dk").resource(drill).update();
        ready("tenant-dk", "pgfleet-verify-10");
        assertThatThrownBy(() -> drills.start(key, "verify-10")).hasMessageContaining("carries no login group pgfleet made");
        drills.remove(key, "verify-10");
    }

    @Test
    void aDrillOfAnInstanceWithoutAClusterOfPgfleetsMakesNothing() {
        DrillServers drills = driver().drills().orElseThrow();
        InstanceKey none = new InstanceKey("tenant-dk", "nothing");
        assertThatThrownBy(() -> drills.start(none, "verify-11")).hasMessageContaining("has no Cluster of pgfleet's");
        assertThat(cluster("tenant-dk", "pgfleet-verify-11")).isNull();
        assertThatThrownBy(() -> drills.startFrom("verify-11", "pw", layout -> { })).hasMessageContaining("CloudNativePG recovers");
    }

    private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
