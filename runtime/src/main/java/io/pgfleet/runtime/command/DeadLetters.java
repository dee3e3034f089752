package io.pgfleet.runtime.command;

import io.micronaut.configuration.kafka.ProducerRegistry;
import io.pgfleet.runtime.LazyProducer;
import io.pgfleet.runtime.PgfleetSettings;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfleet.events.envelope.DeadLetterHeaders;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.secrets.Sealed;
import io.pgfleet.events.secrets.SecretFields;
import io.pgfleet.runtime.metrics.ServiceMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends a record that cannot be read to {@code <topic>.dlq}: its original key, value and headers, plus the
 * {@link DeadLetterHeaders} saying why and where it came from. micronaut-kafka has no dead-letter support.
 */
@Singleton
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final LazyProducer producer;
    private final PgfleetSettings settings;
    private final ServiceMetrics metrics;

    public DeadLetters(ProducerRegistry producers, PgfleetSettings settings,
                       ServiceMetrics metrics) {
        this.metrics = metrics;
        this.producer = new LazyProducer(producers, "pgfleet-dlq");
        this.settings = settings;
    }

    /**
     * The value as the dead-letter copy keeps it: a JSON value with every secret field (and any value that is not sealed)
     * replaced by {@code "***"}; anything that does not read as JSON is not kept at all (it may hold a secret anywhere).
     */
    static byte[] redacted(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode tree = Json.mapper().readTree(value);
            if (tree == null || !tree.isContainerNode()) {
                return new byte[0];
            }
            redact(tree);
            return Json.mapper().writeValueAsBytes(tree);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode child = object.get(name);
                if (SecretFields.NAMES.contains(name) && !(child.isTextual() && Sealed.isSealed(child.asText()))) {
                    object.put(name, "***");
                } else {
                    redact(child);
                }
            }
        } else if (node.isArray()) {
            node.forEach(DeadLetters::redact);
        }
    }

    /** Publishes the record to its dead-letter topic (secrets redacted) and waits for Kafka to take it. */
    public void send(ConsumerRecord<String, byte[]> record, String error) {
        String topic = DeadLetterHeaders.topic(record.topic());
        byte[] kept = redacted(record.value());
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(topic, null, record.key(), kept);
        for (Header header : record.headers()) {
            dead.headers().add(header);
        }
        dead.headers().add(DeadLetterHeaders.ERROR, error.getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DeadLetterHeaders.ORIGIN, (record.topic() + "/" + record.partition() + "/" + record.offset()).getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DeadLetterHeaders.SERVICE, settings.serviceName().getBytes(StandardCharsets.UTF_8));
        if (record.value() != null) {
            dead.headers().add(DeadLetterHeaders.VALUE, (kept.length == 0 ? DeadLetterHeaders.OMITTED : DeadLetterHeaders.REDACTED)
                    .getBytes(StandardCharsets.UTF_8));
        }
        try {
            producer.get().send(dead).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        } catch (Exception e) {
            // Not acknowledged: the listener fails and the record is read again.
            throw new IllegalStateException("could not dead-letter a record from " + record.topic() + ": " + e.getMessage(), e);
        }
        metrics.deadLettered(topic);
        LOG.warn("record {}/{}/{} sent to {}: {}", record.topic(), record.partition(), record.offset(), topic, error);
    }
}
