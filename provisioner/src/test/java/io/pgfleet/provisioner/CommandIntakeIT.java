package io.pgfleet.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.testkit.KafkaRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** What the intake does with bad instances and bad records: one never holds up the others. */
class CommandIntakeIT extends RunningProvisionerIT {

    private static final Duration SLOW = Duration.ofMinutes(3);



    private static Postgres doc(String name, String parameters) {
        return PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: %s
                spec:
                  replicas: 2
                  postgresql:
                    parameters:
                %s
                """.formatted(name, parameters.indent(6)), Postgres.class).value();
    }

    @Test
    void anInstancePostgresqlRefusesFailsWithItsReasonWhileTheNextOneOnThePartitionCompletes() {
        InstanceKey broken = new InstanceKey("tenant-a", "broken-params");
        InstanceKey healthy = new InstanceKey("tenant-a", "healthy-after");
        fixture.track(broken);
        fixture.track(healthy);
        String brokenId = UUID.randomUUID().toString();
        String healthyId = UUID.randomUUID().toString();
        // The same partition, the broken one first.
        fixture.publisher.publish(CommandType.PROVISION, broken, doc("broken-params", "shared_buffers: lots"), brokenId, 0);
        fixture.publisher.publish(CommandType.PROVISION, healthy, doc("healthy-after", "work_mem: 8MB"), healthyId, 0);

        StatusEvent failed = fixture.feed.awaitFinal(brokenId, "provisioner", SLOW);
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(failed.reason()).isEqualTo("ProvisioningFailed");
        assertThat(failed.message()).contains("invalid value for parameter \"shared_buffers\": \"lots\"");

        StatusEvent succeeded = fixture.feed.awaitFinal(healthyId, "provisioner", SLOW);
        assertThat(succeeded.phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(driver.observe(healthy).ready()).isTrue();
    }

    @Test
    void aRecordThatIsNotACloudEventGoesToTheDeadLetterTopicAndTheConsumerGoesOn() {
        String topic = fixture.publisher.topic(CommandType.PROVISION);
        ProducerRecord<String, byte[]> junk = new ProducerRecord<>(topic, 0, "tenant-a/junk", "this is not a CloudEvent".getBytes(StandardCharsets.UTF_8));
        junk.headers().add("x-origin", "test".getBytes(StandardCharsets.UTF_8));
        fixture.publisher.send(junk);
        InstanceKey after = new InstanceKey("tenant-a", "after-junk");
        fixture.track(after);
        String id = UUID.randomUUID().toString();
        fixture.publisher.publish(CommandType.PROVISION, after, doc("after-junk", "work_mem: 4MB"), id, 0);

        List<ConsumerRecord<String, byte[]>> dead = KafkaRecords.readAll(fixture.kafka, topic + ".dlq", 1);
        assertThat(dead).hasSize(1);
        ConsumerRecord<String, byte[]> record = dead.get(0);
        assertThat(record.key()).isEqualTo("tenant-a/junk");
        // Not JSON: it could hold a secret anywhere, so the copy keeps everything but the value.
        assertThat(record.value()).isEmpty();
        assertThat(header(record, "pgfleet_dlq_value")).startsWith("omitted");
        assertThat(header(record, "x-origin")).isEqualTo("test");
        assertThat(header(record, "pgfleet_dlq_error")).contains("missing header ce_specversion");
        assertThat(header(record, "pgfleet_dlq_origin")).startsWith(topic + "/0/");
        assertThat(header(record, "pgfleet_dlq_service")).isEqualTo("provisioner");

        assertThat(fixture.feed.awaitFinal(id, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(fixture.feed.all()).noneMatch(r -> "tenant-a/junk".equals(r.key()));
    }

    @Test
    void aDeletePublishedOnTheProvisionTopicIsDeadLetteredAndTheInstanceStillRuns() {
        InstanceKey kept = fixture.track(new InstanceKey("tenant-a", "kept-shared"));
        String id = UUID.randomUUID().toString();
        fixture.publisher.publish(CommandType.PROVISION, kept, doc("kept-shared", "work_mem: 4MB"), id, 1);
        assertThat(fixture.feed.awaitFinal(id, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);

        String topic = fixture.publisher.topic(CommandType.PROVISION);
        String deleteId = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> delete = io.pgfleet.events.envelope.CloudEventCodec.command(topic, CommandType.DELETE, kept, deleteId,
                java.net.URI.create("/pgfleet/test"), java.time.Instant.now(), new io.pgfleet.events.command.DeleteCommand("kept-shared", null));
        fixture.publisher.send(new ProducerRecord<>(topic, 1, delete.key(), delete.value(), delete.headers()));
        String after = UUID.randomUUID().toString();
        fixture.publisher.publish(CommandType.PROVISION, kept, doc("kept-shared", "work_mem: 4MB"), after, 1);
        assertThat(fixture.feed.awaitFinal(after, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);

        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                assertThat(KafkaRecords.readAll(fixture.kafka, topic + ".dlq", 1)).anySatisfy(record -> assertThat(header(record,
                        "pgfleet_dlq_error")).contains("is not the type of topic " + topic + ", which carries provision commands")));
        assertThat(fixture.feed.forCommand(deleteId)).isEmpty();
        assertThat(driver.observe(kept).ready()).isTrue();
    }

    @Test
    void anInvalidCommandIsRejectedWithEveryErrorAndCreatesNothing() {
        InstanceKey key = new InstanceKey("tenant-a", "never-made");
        Postgres invalid = PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: never-made
                spec:
                  replicas: 3
                  quorum:
                    maxSyncReplicas: 3
                  postgresql:
                    parameters:
                      port: 5433
                """, Postgres.class).value();
        String id = fixture.publisher.publish(CommandType.PROVISION, key, invalid);
        StatusEvent rejected = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        assertThat(rejected.phase()).isEqualTo(Phase.REJECTED);
        assertThat(rejected.errors()).extracting(e -> e.path()).containsExactlyInAnyOrder(
                "spec.quorum.maxSyncReplicas", "spec.postgresql.parameters.port");
        assertThat(driver.observe(key).exists()).isFalse();
    }

    /** A provision record of the given JSON text, exactly as written (a publisher's own serialiser). */
    private ProducerRecord<String, byte[]> rawProvision(InstanceKey key, String json, String commandId) {
        ProducerRecord<String, byte[]> valid = io.pgfleet.events.envelope.CloudEventCodec.command(fixture.publisher.topic(CommandType.PROVISION),
                CommandType.PROVISION, key, commandId, java.net.URI.create("/pgfleet/test"), java.time.Instant.now(),
                doc(key.name(), "work_mem: 4MB"));
        return new ProducerRecord<>(valid.topic(), 0, valid.key(), json.getBytes(StandardCharsets.UTF_8), valid.headers());
    }

    @Test
    void aKeyGivenTwiceIsRejectedNamingItsPathAndNothingIsMade() {
        InstanceKey key = new InstanceKey("tenant-a", "twice-replicas");
        fixture.track(key);
        String id = UUID.randomUUID().toString();
        fixture.publisher.send(rawProvision(key, "{\"apiVersion\":\"apps.cozystack.io/v1alpha1\",\"kind\":\"Postgres\","
                + "\"metadata\":{\"name\":\"twice-replicas\",\"namespace\":\"tenant-a\"},\"spec\":{\"replicas\":1,\"replicas\":9}}", id));
        StatusEvent rejected = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        assertThat(rejected.phase()).isEqualTo(Phase.REJECTED);
        assertThat(rejected.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("spec.replicas");
            assertThat(error.message()).contains("given more than once");
        });
        assertThat(driver.observe(key).exists()).isFalse();
    }

    @Test
    void aPayloadOverTheSizeLimitIsRejectedWithoutBeingRead() {
        InstanceKey key = new InstanceKey("tenant-a", "too-large");
        fixture.track(key);
        String id = UUID.randomUUID().toString();
        String filler = "x".repeat(300 * 1024);
        fixture.publisher.send(rawProvision(key, "{\"apiVersion\":\"apps.cozystack.io/v1alpha1\",\"kind\":\"Postgres\","
                + "\"metadata\":{\"name\":\"too-large\",\"namespace\":\"tenant-a\"},\"spec\":{\"storageClass\":\"" + filler + "\"}}", id));
        StatusEvent rejected = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        assertThat(rejected.phase()).isEqualTo(Phase.REJECTED);
        assertThat(rejected.errors()).singleElement().satisfies(error -> assertThat(error.message()).contains("at most 262144 are taken"));
        assertThat(driver.observe(key).exists()).isFalse();
    }

    @Test
    void aCommandIdReusedForAnotherPayloadIsAnsweredAndTheSamePayloadAgainIsNot() {
        InstanceKey key = new InstanceKey("tenant-a", "reused-id");
        fixture.track(key);
        String id = UUID.randomUUID().toString();
        fixture.publisher.publish(CommandType.PROVISION, key, doc("reused-id", "work_mem: 4MB"), id, 0);
        assertThat(fixture.feed.awaitFinal(id, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);

        fixture.publisher.publish(CommandType.PROVISION, key, doc("reused-id", "work_mem: 64MB"), id, 0);
        StatusEvent reused = fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && e.phase() == Phase.REJECTED, SLOW,
                () -> String.valueOf(fixture.feed.forCommand(id)));
        assertThat(reused.reason()).isEqualTo("CommandIdReused");
        assertThat(reused.message()).contains(id).contains("already used for another command");

        // The first payload again, re-serialised with its keys in another order: a redelivery, nothing to say.
        // A later command on the same partition shows when it has been read.
        fixture.publisher.send(rawProvision(key, "{\"spec\":{\"postgresql\":{\"parameters\":{\"work_mem\":\"4MB\"}},\"replicas\":2},"
                + "\"metadata\":{\"name\":\"reused-id\"},\"kind\":\"Postgres\","
                + "\"apiVersion\":\"apps.cozystack.io/v1alpha1\"}", id));
        String marker = UUID.randomUUID().toString();
        fixture.publisher.publish(CommandType.PROVISION, key, doc("reused-id", "work_mem: 4MB"), marker, 0);
        assertThat(fixture.feed.awaitFinal(marker, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(fixture.feed.forCommand(id)).extracting(StatusEvent::phase).filteredOn(phase -> phase != Phase.PROGRESSING)
                .as("only the reuse is answered").containsExactly(Phase.ACCEPTED, Phase.SUCCEEDED, Phase.REJECTED);
        assertThat(driver.observe(key).ready()).isTrue();
    }

    @Test
    void aCommandIdUsedInOneNamespaceIsNotBurntForAnother() {
        // A tenant publishes, in its own namespace, the id it expects another tenant to use next.
        String id = UUID.randomUUID().toString();
        InstanceKey attacker = new InstanceKey("tenant-a", "burner");
        fixture.publisher.publish(CommandType.DELETE, attacker, new io.pgfleet.events.command.DeleteCommand(attacker.name(),
                attacker.namespace()), id, 0);
        fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && attacker.toString().equals(e.instance()) && e.phase() == Phase.REJECTED,
                SLOW, () -> String.valueOf(fixture.feed.forCommand(id)));

        // The other tenant's command with that id is answered on its own merits, not as a reused id or a redelivery.
        InstanceKey victim = new InstanceKey("tenant-b", "burner");
        fixture.publisher.publish(CommandType.DELETE, victim, new io.pgfleet.events.command.DeleteCommand(victim.name(),
                victim.namespace()), id, 0);
        StatusEvent answer = fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && victim.toString().equals(e.instance())
                && e.phase() != Phase.PROGRESSING, SLOW, () -> String.valueOf(fixture.feed.forCommand(id)));
        assertThat(answer.reason()).isEqualTo("ValidationFailed");
        assertThat(answer.errors()).singleElement().satisfies(error -> assertThat(error.message()).contains("tenant-b/burner"));
    }

    @Test
    void aMemberThatCannotStartFailsTheCommandWithTheServersWordsAndADeleteThenSucceeds() {
        InstanceKey key = new InstanceKey("tenant-a", "cannot-start");
        fixture.track(key);
        // PostgreSQL reads this setting fine (postgres -C) but cannot start with it on a machine without huge pages.
        String id = UUID.randomUUID().toString();
        fixture.publisher.publish(CommandType.PROVISION, key, doc("cannot-start", "huge_pages: \"on\""), id, 0);
        StatusEvent failed = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(failed.message()).contains("did not start").contains("FATAL");
        fixture.feed.awaitEvent(e -> key.toString().equals(e.instance()) && e.phase() == Phase.DEGRADED, SLOW,
                () -> String.valueOf(fixture.feed.forInstance(key.toString())));

        String delete = fixture.publisher.publish(CommandType.DELETE, key, new io.pgfleet.events.command.DeleteCommand(key.name(),
                key.namespace()));
        assertThat(fixture.feed.awaitFinal(delete, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(driver.observe(key).exists()).isFalse();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
