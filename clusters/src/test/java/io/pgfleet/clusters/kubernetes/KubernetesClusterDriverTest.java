package io.pgfleet.clusters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.runtime.job.Step;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kubernetes driver against fabric8's CRUD mock server (no API server can run here). */
@EnableKubernetesMockClient(crud = true)
class KubernetesClusterDriverTest {

    static KubernetesClient client;
    static io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

    private static ClusterSpec spec(int replicas, boolean external) {
        return new ClusterSpec(external, "10Gi", replicas, "replicated", Map.of("work_mem", "8MB"), 0, Math.max(0, replicas - 2));
    }

    /**
     * Applies as the job runner would, step after step, until the step waits for CloudNativePG's members, ends or fails
     * (at most ten steps).
     */
    private static Step settle(KubernetesClusterDriver driver, InstanceKey key, ClusterSpec spec) {
        Step step = driver.apply(key, spec);
        for (int i = 0; i < 10 && step.outcome() == Step.Outcome.WAIT && !step.message().contains("members ready")
                && !step.message().contains("under way"); i++) {
            step = driver.apply(key, spec);
        }
        return step;
    }

    private GenericKubernetesResource cluster(InstanceKey key) {
        return client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(key.namespace()).withName(key.name()).get();
    }

    private void reportReady(InstanceKey key, int ready) {
        GenericKubernetesResource cluster = cluster(key);
        cluster.setAdditionalProperty("status", Map.of("readyInstances", ready, "phase", "Cluster in healthy state",
                "currentPrimary", key.name() + "-1", "instanceNames", List.of(key.name() + "-1", key.name() + "-2", key.name() + "-3"),
                "instancesStatus", Map.of("healthy", List.of(key.name() + "-1", key.name() + "-2", key.name() + "-3"))));
        client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(key.namespace()).resource(cluster).update();
    }

    @Test
    void applyCreatesTheClusterAndWaitsForItsStatus() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc.cluster.local");
        InstanceKey key = new InstanceKey("tenant-k", "pg-one");

        assertThat(settle(driver, key, spec(3, true)).outcome()).isEqualTo(Step.Outcome.WAIT);
        GenericKubernetesResource created = cluster(key);
        assertThat(created.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "pgfleet");
        assertThat(((Map<?, ?>) created.getAdditionalProperties().get("spec")).get("instances")).isEqualTo(3);
        assertThat(client.services().inNamespace("tenant-k").withName("pg-one-external").get().getSpec().getType()).isEqualTo("LoadBalancer");

        Step waiting = settle(driver, key, spec(3, true));
        assertThat(waiting.outcome()).isEqualTo(Step.Outcome.WAIT);
        assertThat(waiting.message()).isEqualTo("0 of 3 members ready");

        reportReady(key, 3);
        Step done = settle(driver, key, spec(3, true));
        assertThat(done.outcome()).isEqualTo(Step.Outcome.DONE);
        assertThat(done.details()).containsEntry("primary", "pg-one-rw.tenant-k.svc.cluster.local:5432");
        assertThat(driver.observe(key).ready()).isTrue();
        assertThat(driver.observe(key).members()).extracting(m -> m.name() + " " + m.role())
                .containsExactly("pg-one-1 primary", "pg-one-2 replica", "pg-one-3 replica");
    }

    private GenericKubernetesResource pooler(InstanceKey key, String type) {
        return client.genericKubernetesResources(PoolerModel.POOLER).inNamespace(key.namespace()).withName(key.name() + "-pooler-" + type).get();
    }

    @Test
    void thePoolerSectionBecomesCloudNativePgPoolersLabelledLikeTheClusterValidChangedRemovedAndDeletedWithTheInstance() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc.cluster.local");
        InstanceKey key = new InstanceKey("tenant-k", "pg-pooled");
        ClusterSpec pooled = new ClusterSpec(false, "10Gi", 3, "replicated", Map.of(), 0, 1, false,
                new io.pgfleet.events.postgres.Pooler(true, "transaction", 500, 25, true));
        settle(driver, key, pooled);
        reportReady(key, 3);
        assertThat(settle(driver, key, pooled).outcome()).isEqualTo(Step.Outcome.DONE);
        for (String type : List.of("rw", "ro")) {
            GenericKubernetesResource made = pooler(key, type);
            assertThat(CrdSchemas.problems("postgresql.cnpg.io_poolers.yaml", "v1", made)).isEmpty();
            assertThat(made.getMetadata().getLabels()).isEqualTo(cluster(key).getMetadata().getLabels());
            Map<?, ?> spec = (Map<?, ?>) made.getAdditionalProperties().get("spec");
            assertThat(spec.get("cluster")).isEqualTo(Map.of("name", "pg-pooled"));
            assertThat(spec.get("type")).isEqualTo(type);
            assertThat(spec.get("instances")).isEqualTo(2);
            assertThat(spec.get("pgbouncer").toString()).contains("poolMode=transaction", "max_client_conn=500", "default_pool_size=25");
        }
        assertThat(driver.observe(key).poolers()).extracting(p -> p.pool() + " " + p.host() + ":" + p.port())
                .containsExactly("rw pg-pooled-pooler-rw.tenant-k.svc.cluster.local:5432", "ro pg-pooled-pooler-ro.tenant-k.svc.cluster.local:5432");

        // Session mode, no read-only pool: the rw Pooler changes, the ro one goes.
        ClusterSpec session = new ClusterSpec(false, "10Gi", 3, "replicated", Map.of(), 0, 1, false,
                new io.pgfleet.events.postgres.Pooler(true, "session", 500, 25, false));
        assertThat(settle(driver, key, session).outcome()).isEqualTo(Step.Outcome.DONE);
        assertThat(((Map<?, ?>) pooler(key, "rw").getAdditionalProperties().get("spec")).get("pgbouncer").toString()).contains("poolMode=session");
        assertThat(pooler(key, "ro")).isNull();

        // A Pooler of that name that is not pgfleet's is refused, never changed.
        GenericKubernetesResource foreign = PoolerModel.pooler(key, pooled, "ro");
        foreign.getMetadata().setLabels(Map.of("app", "someone-else"));
        client.genericKubernetesResources(PoolerModel.POOLER).inNamespace("tenant-k").resource(foreign).create();
        Step refused = settle(driver, key, pooled);
        assertThat(refused.outcome()).isEqualTo(Step.Outcome.FAILED);
        assertThat(refused.message()).contains("Pooler pg-pooled-pooler-ro");
        assertThat(pooler(key, "ro").getMetadata().getLabels()).isEqualTo(Map.of("app", "someone-else"));

        driver.delete(key);
        assertThat(pooler(key, "rw")).isNull();
        assertThat(pooler(key, "ro")).as("not pgfleet's: left").isNotNull();
    }

    @Test
    void anArchivingClusterNamesTheBarmanCloudPluginAndTheDeclaredStoreAndScheduleValidateAgainstTheCrds() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc.cluster.local");
        InstanceKey key = new InstanceKey("tenant-k", "pg-archived");
        settle(driver, key, new ClusterSpec(false, "10Gi", 2, "replicated", Map.of(), 0, 1, true, null));
        GenericKubernetesResource made = cluster(key);
        assertThat(((Map<?, ?>) made.getAdditionalProperties().get("spec")).get("plugins")).isEqualTo(BarmanModel.plugins(key));
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", made)).isEmpty();

        io.pgfleet.clusters.ArchiveTarget target = new io.pgfleet.clusters.ArchiveTarget("s3://backups/_wal/tenant-k/pg-archived",
                "https://s3.tenant.example", "0 3 * * *", 60);
        assertThat(driver.declareArchive(key, target)).hasValueSatisfying(said -> assertThat(said).contains("ObjectStore pg-archived-archive"));
        GenericKubernetesResource store = client.genericKubernetesResources(BarmanModel.OBJECT_STORE).inNamespace("tenant-k")
                .withName("pg-archived-archive").get();
        GenericKubernetesResource schedule = client.genericKubernetesResources(BarmanModel.SCHEDULED_BACKUP).inNamespace("tenant-k")
                .withName("pg-archived-base").get();
        assertThat(CrdSchemas.problems("barmancloud.cnpg.io_objectstores.yaml", "v1", store)).isEmpty();
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_scheduledbackups.yaml", "v1", schedule)).isEmpty();
        assertThat(store.getAdditionalProperties().get("spec").toString()).contains("destinationPath=s3://backups/_wal/tenant-k/pg-archived",
                "endpointURL=https://s3.tenant.example", "retentionPolicy=60d");
        assertThat(schedule.getAdditionalProperties().get("spec").toString()).contains("schedule=0 0 3 * * *", "method=plugin");

        // Declared again with another schedule: the same two resources, updated.
        driver.declareArchive(key, new io.pgfleet.clusters.ArchiveTarget(target.destinationPath(), target.endpointUrl(), "30 1 * * *", 60));
        assertThat(client.genericKubernetesResources(BarmanModel.SCHEDULED_BACKUP).inNamespace("tenant-k").withName("pg-archived-base").get()
                .getAdditionalProperties().get("spec").toString()).contains("schedule=0 30 1 * * *");
        assertThat(client.genericKubernetesResources(BarmanModel.SCHEDULED_BACKUP).inNamespace("tenant-k").list().getItems()).hasSize(1);
    }

    @Test
    void scalingUpdatesSpecInstancesAndKeepsTheStatus() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-scale");
        settle(driver, key, spec(3, false));
        reportReady(key, 3);
        assertThat(settle(driver, key, spec(3, false)).outcome()).isEqualTo(Step.Outcome.DONE);

        assertThat(driver.apply(key, spec(5, false)).message()).isEqualTo("Cluster pg-scale updated");
        assertThat(((Map<?, ?>) cluster(key).getAdditionalProperties().get("spec")).get("instances")).isEqualTo(5);
        Step waiting = settle(driver, key, spec(5, false));
        assertThat(waiting.outcome()).isEqualTo(Step.Outcome.WAIT);
        assertThat(waiting.message()).startsWith("3 of 5 members ready");
        assertThat(driver.observe(key).ready()).isFalse();
        assertThat(client.services().inNamespace("tenant-k").withName("pg-scale-external").get()).isNull();
    }

    @Test
    void turningExternalOffRemovesTheServiceAndDeleteRemovesEverything() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-gone");
        settle(driver, key, spec(2, true));
        assertThat(client.services().inNamespace("tenant-k").withName("pg-gone-external").get()).isNotNull();
        settle(driver, key, spec(2, false));
        settle(driver, key, spec(2, false));
        assertThat(client.services().inNamespace("tenant-k").withName("pg-gone-external").get()).isNull();

        assertThat(driver.delete(key).outcome()).isEqualTo(Step.Outcome.DONE);
        assertThat(cluster(key)).isNull();
        assertThat(driver.observe(key).exists()).isFalse();
    }

    @Test
    void thePrimaryIsReachedWithACertificateOfTheInstancesOwnCaAndTheTenantsNamespaceHoldsNoSuperuserCredential() throws Exception {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-secret");
        assertThat(driver.primary(key)).isEmpty();
        settle(driver, key, spec(1, false));
        assertThat(driver.primary(key)).as("no CA to verify the primary with yet: nothing is sent").isEmpty();
        client.secrets().inNamespace("tenant-k").resource(new SecretBuilder().withNewMetadata().withName("pg-secret-ca")
                .addNewOwnerReference().withApiVersion("postgresql.cnpg.io/v1").withKind("Cluster").withName("pg-secret").withUid("u1").endOwnerReference()
                .endMetadata().addToData("ca.crt", b64(PEM)).addToData("ca.key", b64("private")).build()).create();
        Endpoint endpoint = driver.primary(key).orElseThrow();
        assertThat(endpoint.host()).isEqualTo("pg-secret-rw.tenant-k.svc");
        assertThat(endpoint.user()).isEqualTo("postgres");
        assertThat(endpoint.password()).as("no password: a client certificate").isNull();
        assertThat(endpoint.sessionUrl("app")).contains("sslmode=verify-full", "sslrootcert=", "sslcert=", "sslkey=");
        assertThat(endpoint.jdbcUrl("app")).as("a client's URL carries no certificate of pgfleet's").doesNotContain("sslcert", "sslkey");
        assertThat(endpoint.libpqEnvironment()).containsEntry("PGSSLMODE", "verify-full")
                .containsEntry("PGSSLCERT", endpoint.client().certificate().toString()).containsEntry("PGSSLKEY", endpoint.client().keyPem().toString());
        assertThat(endpoint.caFile()).content().isEqualTo(PEM);
        for (java.nio.file.Path file : List.of(endpoint.client().certificate(), endpoint.client().keyPem(), endpoint.client().keyPk8())) {
            assertThat(java.nio.file.Files.getPosixFilePermissions(file)).as(file.toString())
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }

        // the tenant's namespace: the CA certificate and the replication certificate, nothing that signs or is the superuser
        var clientCa = client.secrets().inNamespace("tenant-k").withName("pg-secret.client-ca").get();
        assertThat(clientCa.getData()).containsOnlyKeys("ca.crt");
        assertThat(clientCa.getMetadata().getLabels()).containsAllEntriesOf(CnpgModel.labels(key));
        var replication = client.secrets().inNamespace("tenant-k").withName("pg-secret.replication").get();
        assertThat(replication.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(replication.getData()).containsOnlyKeys("tls.crt", "tls.key");
        var ca = certificate(decode(clientCa.getData().get("ca.crt")));
        var replicationCert = certificate(decode(replication.getData().get("tls.crt")));
        replicationCert.verify(ca.getPublicKey());
        assertThat(replicationCert.getSubjectX500Principal().getName()).isEqualTo("CN=streaming_replica");
        var superuser = certificate(java.nio.file.Files.readString(endpoint.client().certificate()));
        superuser.verify(ca.getPublicKey());
        assertThat(superuser.getSubjectX500Principal().getName()).isEqualTo("CN=postgres");
        var kept = client.secrets().inNamespace("pgfleet-system").withName("tenant-k.pg-secret-client").get();
        List<String> privateKeys = List.of(decode(kept.getData().get("ca.key")).strip(), readQuietly(endpoint.client().keyPem()));
        assertThat(client.secrets().inNamespace("tenant-k").list().getItems()).as("no Secret of the tenant's holds pgfleet's key or the CA's")
                .noneMatch(secret -> secret.getData().values().stream().map(KubernetesClusterDriverTest::decode)
                        .anyMatch(value -> privateKeys.stream().anyMatch(value::contains)));
        assertThat(kept.getData()).containsKeys("ca.key", "postgres.key", "postgres.crt");

        // another instance trusts its own CA only: this instance's replication certificate is no good there
        InstanceKey other = new InstanceKey("tenant-k", "pg-other");
        settle(driver, other, spec(1, false));
        var otherCa = certificate(decode(client.secrets().inNamespace("tenant-k").withName("pg-other.client-ca").get().getData().get("ca.crt")));
        assertThatThrownBy(() -> replicationCert.verify(otherCa.getPublicKey())).isInstanceOf(java.security.SignatureException.class);

        // applied again (a retried step), nothing is issued anew; deleted, the tenant's two Secrets go
        settle(driver, key, spec(1, false));
        assertThat(client.secrets().inNamespace("tenant-k").withName("pg-secret.replication").get().getData()).isEqualTo(replication.getData());
        driver.delete(key);
        assertThat(client.secrets().inNamespace("tenant-k").withName("pg-secret.client-ca").get()).isNull();
        assertThat(client.secrets().inNamespace("tenant-k").withName("pg-secret.replication").get()).isNull();
    }

    @Test
    void aClientCaSecretPgfleetDidNotMakeIsNeitherReplacedNorNamedByTheCluster() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-squat");
        // a tenant plants its own CA where the Cluster would take the CA its clients are checked against
        client.secrets().inNamespace("tenant-k").resource(new SecretBuilder().withNewMetadata().withName("pg-squat.client-ca").endMetadata()
                .addToData("ca.crt", b64(PEM)).build()).create();
        Step step = settle(driver, key, spec(1, false));
        assertThat(step.outcome()).isEqualTo(Step.Outcome.FAILED);
        assertThat(step.message()).contains("Secret pg-squat.client-ca in namespace tenant-k exists but is not pgfleet's");
        assertThat(cluster(key)).isNull();
        assertThat(client.secrets().inNamespace("tenant-k").withName("pg-squat.client-ca").get().getData()).containsEntry("ca.crt", b64(PEM));
    }

    @Test
    void aCaSecretCloudNativePgDidNotMakeIsNotTrustedWithTheSuperusersSessions() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-planted");
        settle(driver, key, spec(1, false));
        // a tenant who may write Secrets in its namespace plants its own CA under the Cluster's CA name
        client.secrets().inNamespace("tenant-k").resource(new SecretBuilder().withNewMetadata().withName("pg-planted-ca").endMetadata()
                .addToData("ca.crt", b64(PEM)).build()).create();
        assertThatThrownBy(() -> driver.primary(key)).hasMessageContaining("pg-planted-ca").hasMessageContaining("not made by CloudNativePG");
    }

    private static java.security.cert.X509Certificate certificate(String pem) throws Exception {
        return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static String readQuietly(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    @Test
    void aClusterWithTheSameNameThatIsNotPgfleetsIsLeftUntouchedAndItsSecretUnread() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-foreign");
        GenericKubernetesResource foreign = CnpgModel.cluster(key, spec(2, false));
        foreign.getMetadata().setLabels(Map.of("team", "payments"));
        client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace("tenant-k").resource(foreign).create();
        client.secrets().inNamespace("tenant-k").resource(new SecretBuilder().withNewMetadata().withName("pg-foreign-superuser")
                .addToLabels("cnpg.io/cluster", "pg-foreign").endMetadata().addToData("password", b64("theirs")).build()).create();
        drainRequests();

        Step provision = settle(driver, key, spec(3, true));
        assertThat(provision.outcome()).isEqualTo(Step.Outcome.FAILED);
        assertThat(provision.message()).contains("Cluster pg-foreign in namespace tenant-k exists but is not pgfleet's");
        Step delete = driver.delete(key);
        assertThat(delete.outcome()).isEqualTo(Step.Outcome.FAILED);
        assertThatThrownBy(() -> driver.primary(key)).hasMessageContaining("is not pgfleet's").hasMessageContaining("does not connect");

        assertThat(cluster(key).getMetadata().getLabels()).containsExactly(Map.entry("team", "payments"));
        assertThat(((Map<?, ?>) cluster(key).getAdditionalProperties().get("spec")).get("instances")).isEqualTo(2);
        assertThat(client.services().inNamespace("tenant-k").withName("pg-foreign-external").get()).isNull();
        assertThat(drainRequests()).as("requests after the foreign Cluster was made").noneMatch(r -> r.contains("/secrets/"))
                .allMatch(r -> r.startsWith("GET "));
    }

    @Test
    void aForeignServiceWithTheExternalNameIsNeitherTakenOverNorDeleted() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-svc");
        client.services().inNamespace("tenant-k").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
                .withName("pg-svc-external").addToLabels("team", "web").endMetadata().build()).create();
        assertThat(settle(driver, key, spec(1, true)).message()).contains("Service pg-svc-external for pg-svc in namespace tenant-k exists but "
                + "is not pgfleet's");
        settle(driver, key, spec(1, false));
        assertThat(driver.delete(key).outcome()).isEqualTo(Step.Outcome.DONE);
        assertThat(client.services().inNamespace("tenant-k").withName("pg-svc-external").get().getMetadata().getLabels())
                .containsEntry("team", "web");
    }

    /** The requests the mock server took since the last drain, as {@code METHOD path}. */
    private static List<String> drainRequests() {
        List<String> requests = new java.util.ArrayList<>();
        try {
            io.fabric8.mockwebserver.http.RecordedRequest request;
            while ((request = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
                requests.add(request.getMethod() + " " + request.getPath());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return requests;
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes());
    }

    @Test
    void aSwitchoverAsksCloudNativePgForItsTargetPrimaryAndEndsWhenItIsThePrimary() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-switch");
        settle(driver, key, spec(3, false));
        reportReady(key, 3);

        Step asked = driver.switchover(key, spec(3, false), "pg-switch-1", java.util.Optional.of("pg-switch-3"));
        assertThat(asked.outcome()).isEqualTo(Step.Outcome.WAIT);
        Map<?, ?> status = (Map<?, ?>) cluster(key).getAdditionalProperties().get("status");
        assertThat(status.get("targetPrimary")).isEqualTo("pg-switch-3");
        assertThat(status.get("phase")).isEqualTo("Switchover in progress");
        assertThat(String.valueOf(status.get("targetPrimaryTimestamp"))).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
        assertThat(driver.switchover(key, spec(3, false), "pg-switch-1", java.util.Optional.of("pg-switch-3")).outcome())
                .isEqualTo(Step.Outcome.WAIT);

        // CloudNativePG promoted it.
        GenericKubernetesResource cluster = cluster(key);
        @SuppressWarnings("unchecked")
        Map<String, Object> promoted = new java.util.LinkedHashMap<>((Map<String, Object>) cluster.getAdditionalProperties().get("status"));
        promoted.put("currentPrimary", "pg-switch-3");
        promoted.put("phase", "Cluster in healthy state");
        cluster.setAdditionalProperty("status", promoted);
        client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(key.namespace()).resource(cluster).update();
        Step done = driver.switchover(key, spec(3, false), "pg-switch-1", java.util.Optional.of("pg-switch-3"));
        assertThat(done.outcome()).isEqualTo(Step.Outcome.DONE);
        assertThat(done.details()).containsEntry("primaryMember", "pg-switch-3");
        assertThat(driver.observe(key).members()).filteredOn(m -> m.role().equals("primary")).extracting(m -> m.name())
                .containsExactly("pg-switch-3");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRestoreToATimeReplacesTheClusterWithOneRecoveredFromTheStoreAndLaterUpdatesKeepHowItWasMade() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-pitr", "pg-pitr");
        ClusterSpec archiving = new ClusterSpec(false, "10Gi", 2, "replicated", Map.of(), 0, 1, true, null);
        settle(driver, key, archiving);
        reportReady(key, 2);
        driver.declareArchive(key, new io.pgfleet.clusters.ArchiveTarget("s3://backups/_wal/tenant-pitr", null, "0 3 * * *", 7));
        windowOf(key, "pg-pitr", "2026-11-30T10:00:00Z");
        assertThat(driver.recoverableFrom(key)).contains(java.time.Instant.parse("2026-11-30T10:00:00Z"));

        int[] flushed = {0};
        io.pgfleet.clusters.Recovery recovery = new io.pgfleet.clusters.Recovery("cmd-pitr-1", java.time.Instant.parse("2026-11-30T12:00:00Z"),
                null, null, () -> flushed[0]++);
        // 1: the live primary's WAL is flushed and the plan recorded; nothing deleted yet.
        assertThat(driver.recover(key, recovery).outcome()).isEqualTo(Step.Outcome.WAIT);
        assertThat(flushed[0]).isEqualTo(1);
        io.fabric8.kubernetes.api.model.ConfigMap record = client.configMaps().inNamespace("tenant-pitr").withName("pg-pitr-restore").get();
        assertThat(record.getData()).containsEntry("commandId", "cmd-pitr-1").containsEntry("target", "2026-11-30T12:00:00Z")
                .containsEntry("sourceStore", "pg-pitr-archive").containsEntry("sourceServer", "pg-pitr");
        assertThat(record.getData().toString()).doesNotContainIgnoringCase("password");
        assertThat(cluster(key)).isNotNull();
        // While it is under way the provisioner's steps wait and the observation says why.
        assertThat(settle(driver, key, archiving).message()).contains("point-in-time restore to 2026-11-30T12:00:00Z is under way");
        assertThat(driver.observe(key).ready()).isFalse();

        // 2: the original goes; 3: the recovered Cluster is made from the record.
        assertThat(driver.recover(key, recovery).message()).contains("Cluster pg-pitr deleted");
        assertThat(cluster(key)).isNull();
        assertThat(driver.recover(key, recovery).message()).contains("created to recover");
        GenericKubernetesResource recovered = cluster(key);
        assertThat(CrdSchemas.problems("postgresql.cnpg.io_clusters.yaml", "v1", recovered)).isEmpty();
        Map<String, Object> spec = (Map<String, Object>) recovered.getAdditionalProperties().get("spec");
        assertThat(spec).containsEntry("bootstrap", Map.of("recovery", Map.of("source", "origin",
                "recoveryTarget", Map.of("targetTime", "2026-11-30T12:00:00Z"))));
        Map<String, Object> origin = ((List<Map<String, Object>>) spec.get("externalClusters")).get(0);
        assertThat((Map<String, Object>) ((Map<String, Object>) origin.get("plugin")).get("parameters"))
                .isEqualTo(Map.of("barmanObjectName", "pg-pitr-archive", "serverName", "pg-pitr"));
        String server = BarmanModel.serverName(recovered);
        assertThat(server).matches("pg-pitr-[0-9a-f]{8}");
        assertThat(spec.get("instances")).isEqualTo(2);
        assertThat(driver.recover(key, recovery).message()).contains("CloudNativePG recovers Cluster pg-pitr");

        // CloudNativePG reports it healthy: done, the record removed; asked again, still done.
        reportReady(key, 2);
        Step done = driver.recover(key, recovery);
        assertThat(done.outcome()).isEqualTo(Step.Outcome.DONE);
        assertThat(done.message()).contains("restored to 2026-11-30T12:00:00Z", "pg-pitr-archive/pg-pitr", "archiving as " + server);
        assertThat(client.configMaps().inNamespace("tenant-pitr").withName("pg-pitr-restore").get()).isNull();
        assertThat(driver.recover(key, recovery).outcome()).isEqualTo(Step.Outcome.DONE);
        assertThat(flushed[0]).isEqualTo(1);

        // The provisioner scales it later: the recipe and the server it archives under stay; the window is that server's.
        settle(driver, key, new ClusterSpec(false, "10Gi", 3, "replicated", Map.of(), 0, 1, true, null));
        Map<String, Object> scaled = (Map<String, Object>) cluster(key).getAdditionalProperties().get("spec");
        assertThat(scaled).containsEntry("instances", 3).containsEntry("bootstrap", spec.get("bootstrap"));
        assertThat(BarmanModel.serverName(cluster(key))).isEqualTo(server);
        windowOf(key, server, "2026-11-30T12:05:00Z");
        assertThat(driver.recoverableFrom(key)).contains(java.time.Instant.parse("2026-11-30T12:05:00Z"));
    }

    @Test
    void aRestoreFromAnotherNamespacesStoreOrIntoNothingIsRefusedAndChangesNothing() {
        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-k", "pg-nothing");
        io.pgfleet.clusters.Recovery recovery = new io.pgfleet.clusters.Recovery("cmd-x", java.time.Instant.parse("2026-11-30T12:00:00Z"),
                null, null, () -> { }, new InstanceKey("tenant-other", "pg-src"));
        assertThat(driver.recover(key, recovery).message()).contains("own namespace");
        Step nothing = driver.recover(key, new io.pgfleet.clusters.Recovery("cmd-x", java.time.Instant.parse("2026-11-30T12:00:00Z"),
                null, null, () -> { }));
        assertThat(nothing.outcome()).isEqualTo(Step.Outcome.FAILED);
        assertThat(nothing.message()).contains("no Cluster to restore into");
        assertThat(client.configMaps().inNamespace("tenant-k").withName("pg-nothing-restore").get()).isNull();
    }

    /** The plugin's report of a server's window in the instance's ObjectStore status. */
    private void windowOf(InstanceKey key, String server, String first) {
        var stores = client.genericKubernetesResources(BarmanModel.OBJECT_STORE).inNamespace(key.namespace());
        GenericKubernetesResource store = stores.withName(BarmanModel.objectStoreName(key)).get();
        store.setAdditionalProperty("status", Map.of("serverRecoveryWindow", Map.of(server, Map.of("firstRecoverabilityPoint", first))));
        stores.resource(store).update();
    }
}
