package io.pgfleet.runtime.status;

import io.micronaut.configuration.kafka.ProducerRegistry;
import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.LazyProducer;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.events.envelope.CloudEventCodec;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.pgfleet.runtime.fleet.FleetStatePublisher;
import io.pgfleet.runtime.metrics.ServiceMetrics;
import java.io.IOException;

/**
 * Publishes the outbox to the status topic, oldest first. A row is marked published only after
 * Kafka acknowledged it; when Kafka is away the rows wait and go out once it is back (consumers
 * dedupe on {@code ce_id}, so the rare re-send after a crash is harmless).
 * {@link OutboxPump} runs it when an event is written. {@code pgfleet.outbox.batch} (default 100): the events
 * published together.
 */
@Singleton
public class OutboxRelay {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    private final OutboxRepository outbox;
    private final LazyProducer producer;
    private final PgfleetSettings settings;
    private final int batch;
    private final ServiceMetrics metrics;
    private final FleetStatePublisher fleetState;

    public OutboxRelay(OutboxRepository outbox, ProducerRegistry producers,
                       PgfleetSettings settings, @Value("${pgfleet.outbox.batch:100}") int batch,
                       ServiceMetrics metrics,
                       @Nullable FleetStatePublisher fleetState) {
        this.metrics = metrics;
        metrics.outboxBacklog(outbox::countUnpublished);
        this.fleetState = fleetState;
        this.outbox = outbox;
        this.producer = new LazyProducer(producers, "pgfleet-status");
        this.settings = settings;
        this.batch = batch;
    }

    /** Makes the status producer (on the relay's thread, beside the rest of the service's start). */
    void prepare() {
        try {
            producer.get();
        } catch (RuntimeException e) {
            // relayAll() tries again with each batch and says so; the events wait in the outbox meanwhile
            LOG.warn("the status producer could not be made yet: {}", e.getMessage());
        }
    }

    /** Publishes everything waiting; {@code false} when Kafka or the database refused (the events wait). */
    boolean relayAll() {
        try {
            while (relayBatch() == batch) {
                // more are waiting
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("status events wait in the outbox: {}", e.getMessage());
            return false;
        }
    }

    /** Publishes one batch; returns how many went out. */
    @Transactional
    public int relayBatch() {
        List<OutboxRow> rows = outbox.lockUnpublished(batch);
        if (rows.isEmpty()) {
            return 0;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<StatusEvent> events = new ArrayList<>();
        for (OutboxRow row : rows) {
            StatusEvent event = read(row);
            events.add(event);
            sent.add(producer.get().send(CloudEventCodec.status(row.topic(), row.eventId().toString(), settings.source(), event)));
        }
        try {
            for (Future<RecordMetadata> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing status events", e);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not take the status events: " + e.getMessage(), e);
        }
        // Marking is the only write: losing it to a crash of the state database re-sends the same events (deduped on ce_id),
        // so it need not wait for the disk (one flush less per event).
        outbox.commitWithoutWaiting();
        outbox.markPublished(rows.stream().map(OutboxRow::id).toList());
        events.forEach(metrics::published);
        if (fleetState != null) {
            events.stream().map(StatusEvent::instance).distinct().forEach(fleetState::touched);
        }
        return rows.size();
    }

    private static StatusEvent read(OutboxRow row) {
        try {
            return Json.mapper().readValue(row.payload(), StatusEvent.class);
        } catch (IOException e) {
            throw new IllegalStateException("outbox row " + row.id() + " is not a status event", e);
        }
    }
}
