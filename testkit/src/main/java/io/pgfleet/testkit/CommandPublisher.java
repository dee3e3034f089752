package io.pgfleet.testkit;

import io.pgfleet.servers.KafkaBroker;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.envelope.CloudEventCodec;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes commands as a platform would: CloudEvents on the command topics. */
public final class CommandPublisher implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final Map<CommandType, String> topics;

    /**
     * @param topics the topic of each command type (tests use their own topics)
     */
    public CommandPublisher(KafkaBroker kafka, Map<CommandType, String> topics) {
        this(kafka.clientProperties(), topics);
    }

    /** A publisher with its own client properties (a tenant's principal on a secured broker). */
    public CommandPublisher(Properties client, Map<CommandType, String> topics) {
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put("acks", "all");
        properties.put("max.block.ms", "15000");
        this.producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
        this.topics = Map.copyOf(topics);
    }

    /** Publishes a command with a fresh id; returns the id. */
    public String publish(CommandType type, InstanceKey instance, Object payload) {
        String id = UUID.randomUUID().toString();
        publish(type, instance, payload, id, null);
        return id;
    }

    /** Publishes a command with the given id (a redelivery when the id was used before), to a partition or not. */
    public void publish(CommandType type, InstanceKey instance, Object payload, String commandId, Integer partition) {
        ProducerRecord<String, byte[]> record = CloudEventCodec.command(topics.get(type), type, instance, commandId,
                URI.create("/pgfleet/test"), Instant.now(), payload);
        if (partition != null) {
            record = new ProducerRecord<>(record.topic(), partition, record.key(), record.value(), record.headers());
        }
        send(record);
    }

    /** Sends any record, e.g. one that is not a CloudEvent. */
    public void send(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + record.topic() + ": " + e.getMessage(), e);
        }
    }

    /** The topic of a command type. */
    public String topic(CommandType type) {
        return topics.get(type);
    }

    @Override
    public void close() {
        producer.close();
    }
}
