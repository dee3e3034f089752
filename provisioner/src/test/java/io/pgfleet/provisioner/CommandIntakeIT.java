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
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("this is not a CloudEvent");
        assertThat(header(record, "x-origin")).isEqualTo("test");
        assertThat(header(record, "pgfleet_dlq_error")).contains("missing header ce_specversion");
        assertThat(header(record, "pgfleet_dlq_origin")).startsWith(topic + "/0/");
        assertThat(header(record, "pgfleet_dlq_service")).isEqualTo("provisioner");

        assertThat(fixture.feed.awaitFinal(id, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(fixture.feed.all()).noneMatch(r -> "tenant-a/junk".equals(r.key()));
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

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
