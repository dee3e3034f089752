package io.pgfleet.clusters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.validation.RetentionPolicy;
import io.pgfleet.events.validation.S3Location;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Barman Cloud plugin's resources for the reference's complete example, checked against the CRDs and field by field. */
class BarmanModelTest {

    private static final InstanceKey KEY = new InstanceKey("tenant-a", "postgres-complete");

    private static Postgres complete() {
        return PayloadReader.fromText(ReferenceExamples.documents().get(1).text(), Postgres.class).value();
    }

    /** The archive as the complete example's backup section describes it. */
    private static BarmanModel.Archive archive(Backup backup) {
        S3Location location = S3Location.parse(backup.s3Bucket());
        String destination = "s3://" + location.bucket() + (location.prefix().isEmpty() ? "" : "/" + location.prefix()) + "/_wal/" + KEY.namespace();
        return new BarmanModel.Archive(destination, location.endpoint() == null ? null : location.scheme() + "://" + location.endpoint(),
                backup.schedule(), RetentionPolicy.parse(backup.cleanupStrategy(), new ArrayList<>()).windowDays());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    @Test
    void theObjectStoreCarriesTheLocationCredentialsAndWindowOfTheCompleteExample() {
        Backup backup = complete().spec().backup();
        GenericKubernetesResource store = BarmanModel.objectStore(KEY, archive(backup));
        assertThat(CrdSchemas.problems("barmancloud.cnpg.io_objectstores.yaml", "v1", store)).isEmpty();
        Map<String, Object> configuration = (Map<String, Object>) spec(store).get("configuration");
        assertThat(configuration.get("destinationPath").toString()).startsWith("s3://").endsWith("/_wal/tenant-a");
        assertThat(configuration).containsEntry("s3Credentials", Map.of(
                "accessKeyId", Map.of("name", "postgres-complete-backup", "key", "s3AccessKey"),
                "secretAccessKey", Map.of("name", "postgres-complete-backup", "key", "s3SecretKey")));
        assertThat(spec(store)).containsEntry("retentionPolicy", RetentionPolicy.parse(backup.cleanupStrategy(), new ArrayList<>()).windowDays() + "d");
        assertThat(store.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "pgfleet");
        // no secret in the manifest
        assertThat(io.pgfleet.events.json.Json.write(store)).doesNotContain(backup.s3AccessKey(), backup.s3SecretKey(), backup.resticPassword());
    }

    @Test
    void theClusterArchivesThroughThePluginAndTheScheduledBackupUsesItOnTheDocumentsSchedule() {
        Postgres doc = complete();
        GenericKubernetesResource cluster = CnpgModel.cluster(KEY, ClusterSpec.of(doc.spec()));
        spec(cluster).put("plugins", BarmanModel.plugins(KEY));
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", cluster)).isEmpty();
        assertThat(BarmanModel.plugins(KEY)).containsExactly(Map.of("name", "barman-cloud.cloudnative-pg.io", "isWALArchiver", true,
                "parameters", Map.of("barmanObjectName", "postgres-complete-archive")));

        GenericKubernetesResource scheduled = BarmanModel.scheduledBackup(KEY, archive(doc.spec().backup()));
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_scheduledbackups.yaml", "v1", scheduled)).isEmpty();
        assertThat(spec(scheduled)).containsEntry("method", "plugin").containsEntry("schedule", "0 " + doc.spec().backup().schedule())
                .containsEntry("cluster", Map.of("name", "postgres-complete"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRestoreToATimeIsAClusterBootstrappedFromTheSourceArchive() {
        Instant target = Instant.parse("2026-11-30T17:43:06Z");
        GenericKubernetesResource restored = BarmanModel.recoveryCluster(CnpgModel.cluster(new InstanceKey("tenant-a", "postgres-copy"),
                ClusterSpec.of(complete().spec())), KEY, "postgres-complete", target, "postgres-copy-0a1b2c3d", "cmd-1");
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", restored)).isEmpty();
        assertThat(restored.getMetadata().getName()).isEqualTo("postgres-copy");
        assertThat(restored.getMetadata().getAnnotations()).containsEntry(BarmanModel.RESTORE_ANNOTATION, "cmd-1");
        assertThat(BarmanModel.serverName(restored)).isEqualTo("postgres-copy-0a1b2c3d");
        assertThat(spec(restored)).containsEntry("bootstrap", Map.of("recovery", Map.of("source", "origin",
                "recoveryTarget", Map.of("targetTime", "2026-11-30T17:43:06Z"))));
        assertThat((List<Object>) spec(restored).get("externalClusters")).containsExactly(Map.of("name", "origin", "plugin", Map.of(
                "name", "barman-cloud.cloudnative-pg.io", "parameters", Map.of("barmanObjectName", "postgres-complete-archive",
                        "serverName", "postgres-complete"))));

        // The provisioner's later updates keep how it was made and the server it archives under.
        Map<String, Object> wanted = (Map<String, Object>) CnpgModel.cluster(new InstanceKey("tenant-a", "postgres-copy"),
                ClusterSpec.of(complete().spec())).getAdditionalProperties().get("spec");
        Map<String, Object> kept = BarmanModel.keepRecovery(wanted, restored);
        assertThat(kept).containsEntry("bootstrap", spec(restored).get("bootstrap"))
                .containsEntry("externalClusters", spec(restored).get("externalClusters"))
                .containsEntry("plugins", spec(restored).get("plugins"));
        assertThat(BarmanModel.keepRecovery(wanted, CnpgModel.cluster(new InstanceKey("tenant-a", "postgres-copy"),
                ClusterSpec.of(complete().spec())))).isSameAs(wanted);
    }
}
