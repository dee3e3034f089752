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
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;

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

    /**
     * Sends records without waiting between them, lingering so that they travel in one produce request: a consumer's
     * next fetch returns them together (one poll), as a burst of commands reaches a service. Waits for Kafka to take each.
     */
    public static void sendTogether(KafkaBroker kafka, List<ProducerRecord<String, byte[]>> records) throws Exception {
        Properties properties = kafka.clientProperties();
        properties.put("acks", "all");
        properties.put("linger.ms", "1000");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (ProducerRecord<String, byte[]> record : records) {
                sent.add(producer.send(record));
            }
            producer.flush();
            for (Future<?> future : sent) {
                future.get();
            }
        }
    }

    /** Every record of a topic, from its start to its end as it is when this is called (every partition). */
    public static List<ConsumerRecord<String, byte[]>> readToEnd(KafkaBroker kafka, String topic) {
        Properties properties = kafka.clientProperties();
        List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return partitions.stream().allMatch(partition -> consumer.position(partition) >= end.get(partition));
            });
        }
        return received;
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
