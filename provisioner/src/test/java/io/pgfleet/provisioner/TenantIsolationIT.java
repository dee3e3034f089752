package io.pgfleet.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.DeleteCommand;
import io.pgfleet.events.envelope.CloudEventCodec;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.servers.EmbeddedKafkaBroker;
import io.pgfleet.testkit.CommandPublisher;
import io.pgfleet.testkit.KafkaAcls;
import io.pgfleet.testkit.StatusFeed;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tenant mode on a broker that authenticates (SASL/PLAIN) and authorizes (Kafka's StandardAuthorizer) every client:
 * the ACLs are the README's {@code kafka-acls} commands, run with Kafka's own tool. Alice may command namespace
 * {@code team-a}, Bob {@code team-b}; the provisioner and an auditor have their own principals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationIT {

    private static final Duration SLOW = Duration.ofMinutes(3);
    private static final List<CommandType> PROVISIONER_TYPES = List.of(CommandType.PROVISION, CommandType.SCALE, CommandType.DELETE);

    private EmbeddedKafkaBroker kafka;
    private ProvisionerFixture fixture;
    private CommandPublisher alice;
    private StatusFeed aliceFeed;
    private StatusFeed auditFeed;

    @BeforeAll
    void start() {
        Map<String, String> users = new HashMap<>();
        for (String user : List.of("alice", "bob", "provisioner", "auditor", "platform")) {
            users.put(user, UUID.randomUUID().toString());
        }
        kafka = EmbeddedKafkaBroker.startSecured(users);
        // The README's grants, as an operator types them.
        grantTenant("alice", "team-a");
        grantTenant("bob", "team-b");
        KafkaAcls.run(kafka, "--add --allow-principal User:provisioner --operation Read --operation Write --operation Create "
                + "--operation Describe --operation DescribeConfigs --topic pgfleet. --resource-pattern-type prefixed");
        KafkaAcls.run(kafka, "--add --allow-principal User:provisioner --operation Read --group pgfleet-provisioner");
        KafkaAcls.run(kafka, "--add --allow-principal User:provisioner --operation Describe --operation DescribeConfigs --cluster");
        KafkaAcls.run(kafka, "--add --allow-principal User:auditor --operation Read --operation Describe --topic pgfleet.status");
        KafkaAcls.run(kafka, "--add --allow-principal User:auditor --operation Read --group audit. --resource-pattern-type prefixed");
        KafkaAcls.run(kafka, "--add --allow-principal User:platform --operation Read --operation Describe --topic pgfleet.instances");
        // Installing creates the fleet's status topic; onboarding team-a creates its topics; team-b's come later, while the
        // provisioner runs.
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(StatusEvent.DEFAULT_TOPIC, 3, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        createTopics("team-a");

        fixture = new ProvisionerFixture(kafka);
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("pgfleet.tenancy.mode", "namespaced");
        overrides.put("pgfleet.tenancy.topic-refresh-ms", "1000");
        overrides.put("pgfleet.kafka.group-id", "pgfleet-provisioner");
        kafka.clientProperties("provisioner").forEach((key, value) -> {
            if (!key.equals("bootstrap.servers")) {
                overrides.put("kafka." + key, value);
            }
        });
        fixture.startProvisioner(overrides);
        alice = new CommandPublisher(kafka.clientProperties("alice"), topics("team-a"));
        aliceFeed = new StatusFeed(kafka.clientProperties("alice"), "team-a.feed-" + UUID.randomUUID(), StatusEvent.tenantTopic("team-a"));
        auditFeed = new StatusFeed(kafka.clientProperties("auditor"), "audit.feed-" + UUID.randomUUID(), StatusEvent.DEFAULT_TOPIC);
    }

    @AfterAll
    void stop() {
        aliceFeed.close();
        auditFeed.close();
        alice.close();
        fixture.close();
        kafka.close();
    }

    private void grantTenant(String principal, String namespace) {
        KafkaAcls.run(kafka, "--add --allow-principal User:" + principal + " --operation Write --operation Describe --topic pgfleet."
                + namespace + ".command. --resource-pattern-type prefixed");
        KafkaAcls.run(kafka, "--add --allow-principal User:" + principal + " --operation Read --operation Describe --topic pgfleet."
                + namespace + ".status");
        KafkaAcls.run(kafka, "--add --allow-principal User:" + principal + " --operation Read --group " + namespace
                + ". --resource-pattern-type prefixed");
    }

    private void createTopics(String namespace) {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            List<NewTopic> topics = Arrays.stream(CommandType.values()).map(t -> new NewTopic(t.tenantTopic(namespace), 3, (short) 1))
                    .collect(Collectors.toList());
            topics.add(new NewTopic(StatusEvent.tenantTopic(namespace), 3, (short) 1));
            admin.createTopics(topics).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("creating the topics of " + namespace + ": " + e.getMessage(), e);
        }
    }

    private static Map<CommandType, String> topics(String namespace) {
        return Arrays.stream(CommandType.values()).collect(Collectors.toMap(t -> t, t -> t.tenantTopic(namespace)));
    }

    private static Postgres doc(String name, String namespace) {
        return PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: %s
                %s
                spec:
                  replicas: 1
                """.formatted(name, namespace == null ? "" : "  namespace: " + namespace), Postgres.class).value();
    }

    @Test
    void aTenantsPrincipalCanNeitherPublishForNorReadAnotherNamespace() {
        ProducerRecord<String, byte[]> intrusion = CloudEventCodec.command(CommandType.PROVISION.tenantTopic("team-b"), CommandType.PROVISION,
                new InstanceKey("team-b", "intruder"), UUID.randomUUID().toString(), URI.create("/pgfleet/test"), Instant.now(),
                doc("intruder", null));
        assertThatThrownBy(() -> alice.send(intrusion)).hasRootCauseInstanceOf(TopicAuthorizationException.class)
                .hasMessageContaining("pgfleet.team-b.command.provision");
        Properties properties = kafka.clientProperties("alice");
        properties.put("group.id", "team-a.snoop");
        properties.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(StatusEvent.tenantTopic("team-b")));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    consumer.poll(Duration.ofMillis(200));
                }
            }).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aTenantsCommandsWorkEndToEndAndTheirAnswersGoToItsStatusTopicAndTheFleetTopic() {
        InstanceKey shop = fixture.track(new InstanceKey("team-a", "shop"));
        String id = UUID.randomUUID().toString();
        alice.publish(CommandType.PROVISION, shop, doc("shop", null), id, null);

        StatusEvent done = aliceFeed.awaitFinal(id, "provisioner", SLOW);
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(done.instance()).isEqualTo("team-a/shop");
        assertThat(fixture.driver().observe(shop).ready()).isTrue();
        assertThat(auditFeed.awaitFinal(id, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
    }

    @Test
    void thePlatformReadsTheFleetStateWithTheReadmesGrants() throws Exception {
        InstanceKey atlas = fixture.track(new InstanceKey("team-a", "atlas"));
        String id = UUID.randomUUID().toString();
        alice.publish(CommandType.PROVISION, atlas, doc("atlas", null), id, null);
        assertThat(aliceFeed.awaitFinal(id, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);

        // As a fleet view reads it: from the start of every partition, no consumer group (the README grants none).
        try (KafkaConsumer<String, byte[]> platform = new KafkaConsumer<>(kafka.clientProperties("platform"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = await().atMost(SLOW).until(() -> platform.partitionsFor(InstanceState.DEFAULT_TOPIC)
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList(), p -> !p.isEmpty());
            platform.assign(partitions);
            platform.seekToBeginning(partitions);
            Map<String, InstanceState> latest = new HashMap<>();
            await().atMost(SLOW).until(() -> {
                for (ConsumerRecord<String, byte[]> record : platform.poll(Duration.ofMillis(500))) {
                    latest.put(record.key(), record.value() == null ? null : Json.mapper().readValue(record.value(), InstanceState.class));
                }
                return latest.get("team-a/atlas") != null && "READY".equals(latest.get("team-a/atlas").phase());
            });
        }
    }

    @Test
    void aCommandOnItsOwnTopicNamingAnotherNamespaceIsRejectedThereAndChangesNothing() {
        String id = UUID.randomUUID().toString();
        // The payload, the key and ce_subject all say team-b: only the topic is team-a's.
        alice.publish(CommandType.PROVISION, new InstanceKey("team-b", "ledger"), doc("ledger", "team-b"), id, null);

        StatusEvent rejected = aliceFeed.awaitFinal(id, "provisioner", SLOW);
        assertThat(rejected.phase()).isEqualTo(Phase.REJECTED);
        assertThat(rejected.reason()).isEqualTo("NamespaceNotAllowed");
        assertThat(rejected.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("metadata.namespace");
            assertThat(error.message()).contains("'team-b' is not the namespace of topic pgfleet.team-a.command.provision");
        });
        assertThat(aliceFeed.forCommand(id)).extracting(StatusEvent::phase).containsExactly(Phase.REJECTED);
        assertThat(fixture.driver().observe(new InstanceKey("team-b", "ledger")).exists()).isFalse();
    }

    @Test
    void aDeletePublishedOnTheProvisionTopicIsDeadLetteredAndTheInstanceStillRuns() {
        InstanceKey kept = fixture.track(new InstanceKey("team-a", "kept"));
        String id = UUID.randomUUID().toString();
        alice.publish(CommandType.PROVISION, kept, doc("kept", null), id, null);
        assertThat(aliceFeed.awaitFinal(id, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);

        String deleteId = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> delete = CloudEventCodec.command(CommandType.PROVISION.tenantTopic("team-a"), CommandType.DELETE, kept,
                deleteId, URI.create("/pgfleet/test"), Instant.now(), new DeleteCommand("kept", null));
        alice.send(delete);

        List<ConsumerRecord<String, byte[]>> dead = new CopyOnWriteArrayList<>(
                io.pgfleet.testkit.KafkaRecords.readAll(kafka, CommandType.PROVISION.tenantTopic("team-a") + ".dlq", 1));
        assertThat(new String(dead.get(0).headers().lastHeader("pgfleet_dlq_error").value(), StandardCharsets.UTF_8))
                .contains("is not the type of topic pgfleet.team-a.command.provision, which carries provision commands");
        // A later command on the same partition is answered, so the delete was seen and set aside, not carried out.
        String after = UUID.randomUUID().toString();
        alice.publish(CommandType.PROVISION, kept, doc("kept", null), after, null);
        assertThat(aliceFeed.awaitFinal(after, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(aliceFeed.forCommand(deleteId)).isEmpty();
        assertThat(fixture.driver().observe(kept).ready()).isTrue();
    }

    @Test
    void aNamespaceOnboardedWhileTheServiceRunsIsServedWithoutARestart() {
        createTopics("team-b");
        try (CommandPublisher bob = new CommandPublisher(kafka.clientProperties("bob"), topics("team-b"));
             StatusFeed bobFeed = new StatusFeed(kafka.clientProperties("bob"), "team-b.feed", StatusEvent.tenantTopic("team-b"))) {
            InstanceKey ledger = fixture.track(new InstanceKey("team-b", "books"));
            String id = UUID.randomUUID().toString();
            bob.publish(CommandType.PROVISION, ledger, doc("books", null), id, null);
            StatusEvent done = bobFeed.awaitFinal(id, "provisioner", SLOW);
            assertThat(done.phase()).as(done.message()).isEqualTo(Phase.SUCCEEDED);
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.driver().observe(ledger).ready());
            // Alice reads none of it.
            assertThat(aliceFeed.forInstance("team-b/books")).isEmpty();
        }
    }
}
