package io.pgfleet.runtime.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micronaut.configuration.kafka.ProducerRegistry;
import io.micronaut.core.type.Argument;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.events.validation.ValidationPolicy;
import io.pgfleet.runtime.PgfleetSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class FleetStatePublisherTest {

    /** Twenty instances whose parts read well, and one whose part throws (a damaged credential file). */
    private static final List<String> GOOD = IntStream.range(0, 20).mapToObj(i -> "team-" + i + "/db").toList();
    private static final String BROKEN = "team-x/db";

    @Test
    void anInstanceWhosePartCannotBeReadDoesNotHoldUpTheOthers() throws Exception {
        MockProducer<String, byte[]> kafka = new MockProducer<>(true, new StringSerializer(), new ByteArraySerializer());
        ProducerRegistry producers = new ProducerRegistry() {
            @Override
            @SuppressWarnings("unchecked")
            public <K, V> Producer<K, V> getProducer(String id, Argument<K> key, Argument<V> value) {
                return (Producer<K, V>) kafka;
            }
        };
        FleetStatePart source = new FleetStatePart() {
            @Override
            public Optional<InstanceState> part(InstanceKey key) {
                if (key.toString().equals(BROKEN)) {
                    throw new IllegalStateException("the credential file of " + BROKEN + " is not a JSON object of strings");
                }
                return Optional.of(new InstanceState(key.toString(), "READY", null, null, null, null, null, null, null, null, null, null, null));
            }

            @Override
            public List<InstanceKey> instances() {
                return java.util.stream.Stream.concat(GOOD.stream(), java.util.stream.Stream.of(BROKEN)).map(InstanceKey::of).toList();
            }
        };
        FleetStateTopics topics = new FleetStateTopics(null, "pgfleet.instances") {
            @Override
            public void ensure() {
                // the topics are Kafka's business; this test sends to a mock producer
            }
        };
        PgfleetSettings settings = new PgfleetSettings("user-manager", "default", "pgfleet.status", ValidationPolicy.defaults());
        FleetStatePublisher publisher = new FleetStatePublisher(source, producers, topics, settings, Clock.systemUTC(),
                Duration.ofMinutes(1), Duration.ofSeconds(2));
        publisher.onApplicationEvent(null);
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sentKeys(kafka)).containsAll(
                    GOOD.stream().map(instance -> FleetStateFold.partKey(instance, "user-manager")).toList()));
            assertThat(sentKeys(kafka)).doesNotContain(FleetStateFold.partKey(BROKEN, "user-manager"));
        } finally {
            publisher.stop();
        }
    }

    private static Set<String> sentKeys(MockProducer<String, byte[]> kafka) {
        return kafka.history().stream().map(ProducerRecord::key).collect(Collectors.toSet());
    }
}
