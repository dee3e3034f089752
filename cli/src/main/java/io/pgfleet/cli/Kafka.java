package io.pgfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.envelope.BadRecordException;
import io.pgfleet.events.envelope.CloudEventCodec;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.StatusEvent;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishing commands and reading the status topic, as CloudEvents in binary mode. */
public final class Kafka {

    private static final URI SOURCE = URI.create("/pgfleet/cli");
    private static final Duration UNREACHABLE = Duration.ofSeconds(15);

    private final String bootstrapServers;
    private final String prefix;
    private final Properties client;

    public Kafka(String bootstrapServers, String prefix) {
        this(bootstrapServers, prefix, new Properties());
    }

    /**
     * @param client client properties (TLS, SASL: {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config},
     *               {@code ssl.truststore.location} ...) for every producer, consumer and admin client
     */
    public Kafka(String bootstrapServers, String prefix, Properties client) {
        this.bootstrapServers = bootstrapServers;
        this.prefix = prefix;
        this.client = client;
    }

    /** The client properties, with the bootstrap servers. */
    private Properties properties() {
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return properties;
    }

    public String statusTopic() {
        return prefix + ".status";
    }

    public String topic(CommandType type) {
        return prefix + ".command." + type.id();
    }

    /** Publishes a command; returns its id once Kafka has it. */
    public String publish(CommandType type, InstanceKey instance, Object payload) {
        String id = UUID.randomUUID().toString();
        Properties properties = properties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) UNREACHABLE.toMillis());
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) UNREACHABLE.toMillis());
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) UNREACHABLE.toMillis() - 1000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(CloudEventCodec.command(topic(type), type, instance, id, SOURCE, Instant.now(), payload))
                    .get(UNREACHABLE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Unreachable("Kafka at " + bootstrapServers + " did not take the command in " + UNREACHABLE.toSeconds() + "s", e);
        } catch (ExecutionException e) {
            String why = "Kafka at " + bootstrapServers + " did not take the command: " + e.getCause().getMessage();
            throw e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException ? new Unreachable(why, e) : new IllegalStateException(why, e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new Unreachable("Kafka at " + bootstrapServers + " cannot be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return id;
    }

    private void createStatusTopic() {
        Properties properties = properties();
        try (Admin admin = Admin.create(properties)) {
            admin.createTopics(List.of(new NewTopic(statusTopic(), Optional.empty(), Optional.empty()))).all()
                    .get(UNREACHABLE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("the status topic " + statusTopic() + " does not exist and cannot be created: "
                        + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new Unreachable("Kafka at " + bootstrapServers + " cannot be reached", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The fleet-state topic, e.g. {@code pgfleet.instances}. */
    public String fleetTopic() {
        return prefix + ".instances";
    }

    /**
     * The latest record of every instance on the compacted fleet-state topic, read from its start to where it ended when
     * asked (an instance whose latest record is a tombstone is gone), by instance key; empty when nothing was told yet.
     */
    public Map<String, JsonNode> fleet() {
        Properties properties = properties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) UNREACHABLE.toMillis());
        Map<String, JsonNode> latest = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(fleetTopic(), UNREACHABLE).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, UNREACHABLE);
            long deadline = System.nanoTime() + UNREACHABLE.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new Unreachable("the fleet-state topic " + fleetTopic() + " was not read to its end within "
                            + UNREACHABLE.toSeconds() + "s", null);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), Json.mapper().readTree(record.value()));
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new Unreachable("Kafka at " + bootstrapServers + " cannot be reached", e);
        } catch (IOException e) {
            throw new IllegalStateException("a record of " + fleetTopic() + " is not JSON: " + e.getMessage(), e);
        }
        return latest;
    }

    /** A reader of the status topic from its start, or from its current end. */
    public StatusReader statusReader(boolean fromStart) {
        return new StatusReader(fromStart, null);
    }

    /** A reader from the first status record written at or after {@code since}. */
    public StatusReader statusReader(Instant since) {
        return new StatusReader(true, since);
    }

    /** Reads status events in order of arrival. */
    public final class StatusReader implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;

        private StatusReader(boolean fromStart, Instant since) {
            Properties properties = properties();
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) UNREACHABLE.toMillis());
            consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            try {
                if (consumer.partitionsFor(statusTopic(), UNREACHABLE).isEmpty()) {
                    createStatusTopic(); // nothing has been said yet: the services would create it with their first event
                }
                consumer.partitionsFor(statusTopic(), UNREACHABLE).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                consumer.close();
                throw new Unreachable("Kafka at " + bootstrapServers + " cannot be reached", e);
            }
            consumer.assign(partitions);
            if (since != null) {
                Map<TopicPartition, Long> times = new HashMap<>();
                partitions.forEach(p -> times.put(p, since.toEpochMilli()));
                consumer.offsetsForTimes(times).forEach((partition, found) -> {
                    if (found == null) {
                        consumer.seekToEnd(List.of(partition)); // nothing written since then
                    } else {
                        consumer.seek(partition, found.offset());
                    }
                });
            } else if (fromStart) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position); // fix the positions now, before anything is published
            }
        }

        /** The events that arrived within {@code wait} (bad records skipped). */
        public List<StatusEvent> poll(Duration wait) {
            List<StatusEvent> events = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : consumer.poll(wait)) {
                try {
                    events.add(CloudEventCodec.decodeStatus(record));
                } catch (BadRecordException e) {
                    // not a status event: not ours to show
                }
            }
            return events;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
