package io.pgfleet.testkit;

import io.pgfleet.servers.KafkaBroker;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishing records and reading a topic from its start, for tests. */
public final class KafkaRecords {

    private KafkaRecords() {
    }

    /** Sends records and waits for Kafka to take each. */
    public static void send(KafkaBroker kafka, List<ProducerRecord<String, byte[]>> records) throws Exception {
        Properties properties = kafka.clientProperties();
        properties.put("acks", "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<String, byte[]> record : records) {
                producer.send(record).get();
            }
        }
    }

    /** Reads a topic from its start until at least {@code expected} records came (60s at most). */
    public static List<ConsumerRecord<String, byte[]>> readAll(KafkaBroker kafka, String topic, int expected) {
        Properties properties = kafka.clientProperties();
        properties.put("group.id", "testkit-" + UUID.randomUUID());
        properties.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return received.size() >= expected;
            });
        }
        return received;
    }
}
