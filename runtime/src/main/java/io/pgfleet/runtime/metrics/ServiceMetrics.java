package io.pgfleet.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.PgfleetSettings;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What every service counts the same way (tag {@code service}): {@code pgfleet_commands_total{type,outcome}} (commands
 * answered {@code SUCCEEDED}, {@code FAILED} or {@code REJECTED}, counted when the answer reaches Kafka),
 * {@code pgfleet_dead_letters_total{topic}} (records sent to a dead-letter topic), {@code pgfleet_outbox_backlog_events}
 * (status events committed but not yet on Kafka, read when scraped), and the histograms of how long jobs and changes of
 * primary took.
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

    /**
     * A job ended (a command carried out, or a repair): {@code pgfleet_job_duration_seconds{kind,outcome}}, a histogram of
     * the time from the command's intake to its end, with buckets from 100 ms to an hour.
     */
    public void jobEnded(String kind, String outcome, Duration took) {
        Timer.builder("pgfleet.job.duration").description("time from a command's intake (or a repair's start) to its end")
                .tag(SERVICE_TAG, service).tag("kind", kind).tag("outcome", outcome)
                .serviceLevelObjectives(BUCKETS).register(registry).record(took.isNegative() ? Duration.ZERO : took);
    }

    /**
     * A primary was replaced ({@code kind} {@code failover} or {@code switchover}, {@code cause} as the events name it):
     * {@code pgfleet_primary_change_duration_seconds{kind,cause}}, from when the old primary stopped answering to when the
     * instance was ready again.
     */
    public void primaryChanged(String kind, String cause, Duration took) {
        Timer.builder("pgfleet.primary.change.duration").description("time from the old primary's loss to the instance being ready again")
                .tag(SERVICE_TAG, service).tag("kind", kind).tag("cause", cause)
                .serviceLevelObjectives(BUCKETS).register(registry).record(took.isNegative() ? Duration.ZERO : took);
    }

    /** The histograms' buckets: what an operator tells apart, from a quick command to a long restore. */
    static final Duration[] BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1)};

    /** A record went to {@code topic} (a dead-letter topic). */
    public void deadLettered(String topic) {
        Counter.builder("pgfleet.dead.letters").description("records sent to a dead-letter topic").tag(SERVICE_TAG, service)
                .tag("topic", topic).register(registry).increment();
    }
}
