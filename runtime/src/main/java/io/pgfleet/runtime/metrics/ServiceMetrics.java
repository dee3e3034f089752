package io.pgfleet.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.PgfleetSettings;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What every service counts the same way (tag {@code service}): {@code pgfleet_commands_total{type,outcome}} (commands
 * answered {@code SUCCEEDED}, {@code FAILED} or {@code REJECTED}, counted when the answer reaches Kafka),
 * {@code pgfleet_dead_letters_total{topic}} (records sent to a dead-letter topic) and {@code pgfleet_outbox_backlog_events}
 * (status events committed but not yet on Kafka, read when scraped).
 */
@Singleton
public class ServiceMetrics {

    /** The tag that names the service: not {@code service}, which a scrape through a Kubernetes Service sets to that Service. */
    public static final String SERVICE_TAG = "pgfleet_service";

    private static final Set<Phase> OUTCOMES = Set.of(Phase.SUCCEEDED, Phase.FAILED, Phase.REJECTED);

    private final MeterRegistry registry;
    private final String service;

    public ServiceMetrics(MeterRegistry registry, PgfleetSettings settings) {
        this.registry = registry;
        this.service = settings.serviceName();
    }

    /** The outbox's backlog, read when scraped (the relay hands it over as it is made). */
    public void outboxBacklog(Supplier<Number> backlog) {
        Gauge.builder("pgfleet.outbox.backlog", backlog).baseUnit("events")
                .description("status events committed but not yet published to Kafka").tag(SERVICE_TAG, service).register(registry);
    }

    /** A status event reached Kafka: an answer to a command counts once per outcome. */
    public void published(StatusEvent event) {
        if (event.commandId() != null && OUTCOMES.contains(event.phase())) {
            Counter.builder("pgfleet.commands").description("commands answered, by type and outcome").tag(SERVICE_TAG, service)
                    .tag("type", event.commandType() == null ? "unknown" : event.commandType()).tag("outcome", event.phase().name())
                    .register(registry).increment();
        }
    }

    /** A record went to {@code topic} (a dead-letter topic). */
    public void deadLettered(String topic) {
        Counter.builder("pgfleet.dead.letters").description("records sent to a dead-letter topic").tag(SERVICE_TAG, service)
                .tag("topic", topic).register(registry).increment();
    }
}
