package io.pgfleet.runtime.command;

import io.micronaut.configuration.kafka.annotation.KafkaClient;
import io.pgfleet.runtime.PgfleetSettings;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that cannot be read to {@code <topic>.dlq}: its original key, value and headers,
 * plus headers saying why and where it came from. micronaut-kafka has no dead-letter support.
 */
@Singleton
public class DeadLetters {

    /** Why the record was refused. */
    public static final String ERROR = "pgfleet_dlq_error";
    /** Where it was read: {@code topic/partition/offset}. */
    public static final String ORIGIN = "pgfleet_dlq_origin";
    /** Which service refused it. */
    public static final String SERVICE = "pgfleet_dlq_service";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final Producer<String, byte[]> producer;
    private final PgfleetSettings settings;

    public DeadLetters(@KafkaClient("pgfleet-dlq") Producer<String, byte[]> producer, PgfleetSettings settings) {
        this.producer = producer;
        this.settings = settings;
    }

    /** Publishes the record to its dead-letter topic and waits for Kafka to take it. */
    public void send(ConsumerRecord<String, byte[]> record, String error) {
        String topic = PgfleetSettings.deadLetterTopic(record.topic());
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(topic, null, record.key(), record.value());
        for (Header header : record.headers()) {
            dead.headers().add(header);
        }
        dead.headers().add(ERROR, error.getBytes(StandardCharsets.UTF_8));
        dead.headers().add(ORIGIN, (record.topic() + "/" + record.partition() + "/" + record.offset()).getBytes(StandardCharsets.UTF_8));
        dead.headers().add(SERVICE, settings.serviceName().getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(dead).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        } catch (Exception e) {
            // Not acknowledged: the listener fails and the record is read again.
            throw new IllegalStateException("could not dead-letter a record from " + record.topic() + ": " + e.getMessage(), e);
        }
        LOG.warn("record {}/{}/{} sent to {}: {}", record.topic(), record.partition(), record.offset(), topic, error);
    }
}
