package io.pgfleet.testkit;

import io.pgfleet.servers.KafkaBroker;
import io.pgfleet.servers.Waits;

import static org.awaitility.Awaitility.await;

import io.pgfleet.events.envelope.BadRecordException;
import io.pgfleet.events.envelope.CloudEventCodec;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Follows a status topic from its beginning, as an integration or an auditor would, keeping every
 * event with its CloudEvents id and raw text (for checks that no secret went out).
 */
public final class StatusFeed implements AutoCloseable {

    /** A received status event; {@code receivedNanos} is {@link System#nanoTime()} when this feed got it. */
    public record Received(String ceId, String key, String rawValue, StatusEvent event, long receivedNanos) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public StatusFeed(KafkaBroker kafka, String topic) {
        this(kafka.clientProperties(), "status-feed-" + UUID.randomUUID(), topic);
    }

    /** A feed with its own client properties and consumer group (a tenant's principal on a secured broker). */
    public StatusFeed(Properties client, String groupId, String topic) {
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put("group.id", groupId);
        properties.put("auto.offset.reset", "earliest");
        consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        thread = new Thread(this::poll, "status-feed " + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        StatusEvent event = CloudEventCodec.decodeStatus(record);
                        received.add(new Received(new String(record.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8),
                                record.key(), new String(record.value(), StandardCharsets.UTF_8), event, System.nanoTime()));
                    } catch (BadRecordException e) {
                        throw new IllegalStateException("a status record that is not a status event: " + e.getMessage(), e);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** Every event so far. */
    public List<Received> all() {
        return List.copyOf(received);
    }

    /** The events answering a command, in order. */
    public List<StatusEvent> forCommand(String commandId) {
        return received.stream().map(Received::event).filter(e -> commandId.equals(e.commandId())).toList();
    }

    /** The events of an instance, in order. */
    public List<StatusEvent> forInstance(String instance) {
        return received.stream().map(Received::event).filter(e -> instance.equals(e.instance())).toList();
    }

    /** Waits for the final event (SUCCEEDED, FAILED, REJECTED) of a command from one service and returns it. */
    public StatusEvent awaitFinal(String commandId, String service, Duration timeout) {
        return awaitEvent(e -> commandId.equals(e.commandId()) && service.equals(e.service()) && e.phase().isFinal(), timeout,
                () -> "no final event for command " + commandId + " from " + service + "; seen: " + forCommand(commandId));
    }

    /** Waits for an event matching the predicate and returns the first one. */
    public StatusEvent awaitEvent(Predicate<StatusEvent> match, Duration timeout, Supplier<String> describe) {
        List<StatusEvent> found = new ArrayList<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                received.stream().map(Received::event).filter(match).findFirst().ifPresent(found::add);
                return !found.isEmpty();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(describe.get(), e);
        }
        return found.get(0);
    }

    /** Whether some event has this phase for the command. */
    public boolean has(String commandId, Phase phase) {
        return forCommand(commandId).stream().anyMatch(e -> e.phase() == phase);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
