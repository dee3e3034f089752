package io.pgfleet.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.clusters.kubernetes.CnpgModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provisioner with the kubernetes driver, against fabric8's CRUD mock server standing in for the API server. */
@EnableKubernetesMockClient(crud = true)
class KubernetesProvisionIT {

    static KubernetesClient client;

    @Test
    void theClusterStatusDrivesTheEvents() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "postgres-complete");
        Postgres complete = PayloadReader.fromText(ReferenceExamples.documents().get(1).text(), Postgres.class).value();
        try (ProvisionerFixture fixture = new ProvisionerFixture();
             EmbeddedServer provisioner = fixture.startProvisioner(Map.of("pgfleet.driver", "kubernetes",
                     "pgfleet.kubernetes.master-url", client.getConfiguration().getMasterUrl(), "pgfleet.kubernetes.namespace", "pgfleet-system"))) {
            String id = fixture.publisher.publish(CommandType.PROVISION, key, complete);
            fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && e.phase() == Phase.PROGRESSING, Duration.ofMinutes(1),
                    () -> "no progress: " + fixture.feed.forCommand(id));
            // The steps: the client certificates, the Cluster, the external Service; then CloudNativePG's members are waited for.
            await().atMost(Duration.ofMinutes(1)).until(() -> cluster(key) != null
                    && client.services().inNamespace("tenant-a").withName("postgres-complete-external").get() != null);
            GenericKubernetesResource cluster = cluster(key);
            assertThat(((Map<?, ?>) cluster.getAdditionalProperties().get("spec")).get("instances")).isEqualTo(3);
            assertThat(fixture.feed.has(id, Phase.SUCCEEDED)).isFalse();

            setReady(key, 3, 3);
            StatusEvent succeeded = fixture.feed.awaitFinal(id, "provisioner", Duration.ofMinutes(1));
            assertThat(succeeded.phase()).isEqualTo(Phase.SUCCEEDED);
            assertThat(succeeded.reason()).isEqualTo("InstanceReady");
            assertThat(succeeded.details()).containsEntry("primary", "postgres-complete-rw.tenant-a.svc:5432");

            // A member lost, then back: observed events.
            setReady(key, 2, 3);
            fixture.feed.awaitEvent(e -> e.commandId() == null && e.phase() == Phase.DEGRADED, Duration.ofMinutes(1), () -> "no DEGRADED");
            setReady(key, 3, 3);
            fixture.feed.awaitEvent(e -> e.commandId() == null && e.phase() == Phase.READY, Duration.ofMinutes(1), () -> "no READY");

            // Scale updates spec.instances.
            String scale = fixture.publisher.publish(CommandType.SCALE, key, new ScaleCommand("postgres-complete", null, 4, null, null));
            await().atMost(Duration.ofMinutes(1)).until(() ->
                    Integer.valueOf(4).equals(((Map<?, ?>) cluster(key).getAdditionalProperties().get("spec")).get("instances")));
            setReady(key, 4, 4);
            assertThat(fixture.feed.awaitFinal(scale, "provisioner", Duration.ofMinutes(1)).phase()).isEqualTo(Phase.SUCCEEDED);

            // A switchover the way `kubectl cnpg promote` asks for it; done once CloudNativePG made the target the primary.
            String switchover = fixture.publisher.publish(CommandType.SWITCHOVER, key,
                    new io.pgfleet.events.command.SwitchoverCommand("postgres-complete", null, "postgres-complete-3"));
            await().atMost(Duration.ofMinutes(1)).until(() ->
                    "postgres-complete-3".equals(((Map<?, ?>) cluster(key).getAdditionalProperties().get("status")).get("targetPrimary")));
            setReady(key, 4, 4, 3);
            StatusEvent switched = fixture.feed.awaitFinal(switchover, "provisioner", Duration.ofMinutes(1));
            assertThat(switched.reason()).isEqualTo("SwitchoverCompleted");
            assertThat(switched.details()).containsEntry("primaryMember", "postgres-complete-3");

            // CloudNativePG fails over by itself: pgfleet tells it like its own failovers.
            setReady(key, 3, 4, 2);
            StatusEvent started = fixture.feed.awaitEvent(e -> e.commandId() == null && "FailoverStarted".equals(e.reason()), Duration.ofMinutes(1),
                    () -> "no FailoverStarted: " + fixture.feed.forInstance("tenant-a/postgres-complete"));
            assertThat(started.details()).containsEntry("oldPrimary", "postgres-complete-3").containsEntry("newPrimary", "postgres-complete-2");
            setReady(key, 4, 4, 2);
            StatusEvent completed = fixture.feed.awaitEvent(e -> e.commandId() == null && "FailoverCompleted".equals(e.reason()),
                    Duration.ofMinutes(1), () -> "no FailoverCompleted: " + fixture.feed.forInstance("tenant-a/postgres-complete"));
            assertThat(completed.phase()).isEqualTo(Phase.READY);
            assertThat(completed.details()).containsEntry("newPrimary", "postgres-complete-2");

            assertNoSecretLeft(fixture, complete);
            // the key of its backups' manifests, which the backup-worker keeps in pgfleet's own namespace
            new io.pgfleet.runtime.credentials.CredentialStores("kubernetes", () -> client, "", "pgfleet-system")
                    .kind(io.pgfleet.runtime.credentials.CredentialStores.MANIFEST).write(key, Map.of("manifestKey", "k"));

            String delete = fixture.publisher.publish(CommandType.DELETE, key, new io.pgfleet.events.command.DeleteCommand("postgres-complete", null));
            assertThat(fixture.feed.awaitFinal(delete, "provisioner", Duration.ofMinutes(1)).phase()).isEqualTo(Phase.SUCCEEDED);
            assertThat(cluster(key)).isNull();
            assertThat(client.secrets().inNamespace("pgfleet-system").withName("tenant-a.postgres-complete-manifest").get())
                    .as("the manifest key goes with the instance").isNull();
        }
    }

    @Test
    void aClusterOfTheSameNameThatPgfleetDidNotCreateIsLeftUntouchedByProvisionScaleAndDelete() {
        InstanceKey key = new InstanceKey("tenant-a", "theirs");
        GenericKubernetesResource foreign = CnpgModel.cluster(key, new io.pgfleet.clusters.ClusterSpec(false, "5Gi", 2, "replicated",
                Map.of(), 0, 0));
        foreign.getMetadata().setLabels(Map.of("owner", "another-operator"));
        client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace("tenant-a").resource(foreign).create();
        Postgres doc = PayloadReader.fromText(ReferenceExamples.documents().get(0).text(), Postgres.class).value();
        doc = new Postgres(doc.apiVersion(), doc.kind(), new io.pgfleet.events.postgres.Metadata("theirs", null), doc.spec());
        try (ProvisionerFixture fixture = new ProvisionerFixture();
             EmbeddedServer provisioner = fixture.startProvisioner(Map.of("pgfleet.driver", "kubernetes",
                     "pgfleet.kubernetes.master-url", client.getConfiguration().getMasterUrl(), "pgfleet.kubernetes.namespace", "pgfleet-system"))) {
            String id = fixture.publisher.publish(CommandType.PROVISION, key, doc);
            StatusEvent failed = fixture.feed.awaitFinal(id, "provisioner", Duration.ofMinutes(1));
            assertThat(failed.phase()).isEqualTo(Phase.FAILED);
            assertThat(failed.message()).contains("Cluster theirs in namespace tenant-a exists but is not pgfleet's");

            String scale = fixture.publisher.publish(CommandType.SCALE, key, new ScaleCommand("theirs", null, 5, null, null));
            assertThat(fixture.feed.awaitFinal(scale, "provisioner", Duration.ofMinutes(1)).phase()).isEqualTo(Phase.FAILED);
            String delete = fixture.publisher.publish(CommandType.DELETE, key, new io.pgfleet.events.command.DeleteCommand("theirs", null));
            StatusEvent notDeleted = fixture.feed.awaitFinal(delete, "provisioner", Duration.ofMinutes(1));
            assertThat(notDeleted.phase()).isEqualTo(Phase.FAILED);
            assertThat(notDeleted.message()).contains("is not pgfleet's");

            GenericKubernetesResource after = cluster(key);
            assertThat(after.getMetadata().getLabels()).containsExactly(Map.entry("owner", "another-operator"));
            assertThat(((Map<?, ?>) after.getAdditionalProperties().get("spec")).get("instances")).isEqualTo(2);
        }
    }

    /** The example's passwords and keys appear in no status event, no log line and no state table. */
    private static void assertNoSecretLeft(ProvisionerFixture fixture, Postgres doc) throws Exception {
        List<String> secrets = new java.util.ArrayList<>();
        doc.spec().users().values().forEach(u -> secrets.add(u.password()));
        secrets.add(doc.spec().backup().s3AccessKey());
        secrets.add(doc.spec().backup().s3SecretKey());
        secrets.add(doc.spec().backup().resticPassword());
        assertThat(secrets).hasSize(6).doesNotContainNull();
        StringBuilder seen = new StringBuilder();
        fixture.feed.all().forEach(r -> seen.append(r.rawValue()).append('\n'));
        LOGS.list.forEach(e -> seen.append(e.getFormattedMessage()).append(e.getMDCPropertyMap()).append('\n'));
        try (java.sql.Connection c = fixture.state.connect("postgres"); java.sql.Statement sql = c.createStatement()) {
            for (String table : List.of("instance", "job", "handled_command", "outbox")) {
                try (java.sql.ResultSet rows = sql.executeQuery("SELECT t::text FROM provisioner." + table + " t")) {
                    int n = 0;
                    while (rows.next()) {
                        seen.append(rows.getString(1)).append('\n');
                        n++;
                    }
                    assertThat(n).as(table + " has rows").isPositive();
                }
            }
        }
        assertThat(LOGS.list).isNotEmpty();
        assertThat(seen.toString()).contains("postgres-complete").doesNotContain(secrets);
    }

    private static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> LOGS = new ch.qos.logback.core.read.ListAppender<>();

    @org.junit.jupiter.api.BeforeAll
    static void captureLogs() {
        LOGS.start();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
    }

    private static GenericKubernetesResource cluster(InstanceKey key) {
        return client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(key.namespace()).withName(key.name()).get();
    }

    /** What CloudNativePG would write into the status. */
    private static void setReady(InstanceKey key, int ready, int instances) {
        setReady(key, ready, instances, 1);
    }

    /** The status CloudNativePG would write: {@code ready} healthy instances, member {@code primary} the primary. */
    private static void setReady(InstanceKey key, int ready, int instances, int primary) {
        GenericKubernetesResource cluster = cluster(key);
        List<String> names = java.util.stream.IntStream.rangeClosed(1, instances).mapToObj(i -> key.name() + "-" + i).toList();
        cluster.setAdditionalProperty("status", Map.of("readyInstances", ready, "instances", instances,
                "phase", ready == instances ? "Cluster in healthy state" : "Waiting for the instances to become active",
                "currentPrimary", key.name() + "-" + primary, "instanceNames", names,
                "instancesStatus", Map.of("healthy", names.subList(0, ready))));
        client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(key.namespace()).resource(cluster).update();
    }
}
