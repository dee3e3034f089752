package io.pgfleet.runtime.fleet;

import io.micronaut.configuration.kafka.ProducerRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.event.ApplicationStartupEvent;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.LazyProducer;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.runtime.db.Loop;
import io.pgfleet.runtime.db.Wakeup;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.charset.StandardCharsets;

/**
 * Publishes this service's part of each instance's state to the parts topic (key {@code <instance>@<service>}, a
 * tombstone once the service no longer knows the instance): for an instance as soon as a status event about it reached
 * Kafka (every change of state comes with one), and for every instance every {@code pgfleet.fleet-state.refresh}
 * (default 60s; changes without an event, such as the recovery window, and anything a failed send missed). A part is
 * sent only when it differs from the last one Kafka took, so an idle fleet sends nothing. On its own thread: reading a
 * part (a catalogue, a view) never holds up the status relay. An instance's part is read at most once every
 * {@code pgfleet.fleet-state.min-interval} (default 2s): the events of a burst of commands for one instance are answered
 * by one read at the end of the interval, not one read each (a catalogue read connects to every database).
 */
@Context
@Requires(beans = FleetStatePart.class)
public class FleetStatePublisher implements ApplicationEventListener<ApplicationStartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(FleetStatePublisher.class);
    private static final InstanceState GONE = new InstanceState("", null, null, null, null, null, null, null, null, null, null, null, null);

    private final FleetStatePart source;
    private final LazyProducer producer;
    private final FleetStateTopics topics;
    private final String service;
    private final Clock clock;
    private final Duration refresh;
    private final Duration minInterval;
    /** When each instance's part was last read (System.nanoTime()). */
    private final Map<String, Long> lastRead = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Map<String, InstanceState> sent = new ConcurrentHashMap<>();
    private final Wakeup wakeup = new Wakeup();
    private volatile boolean everything = true;
    private Loop loop;

    public FleetStatePublisher(FleetStatePart source, ProducerRegistry producers,
                               FleetStateTopics topics, PgfleetSettings settings, Clock clock,
                               @Value("${pgfleet.fleet-state.refresh:60s}") Duration refresh,
                               @Value("${pgfleet.fleet-state.min-interval:2s}") Duration minInterval) {
        this.minInterval = minInterval;
        this.source = source;
        this.producer = new LazyProducer(producers, "pgfleet-fleet-state");
        this.topics = topics;
        this.service = settings.serviceName();
        this.clock = clock;
        this.refresh = refresh;
    }

    /** Starts once the service answers: a view of the fleet, it waits rather than take a core from the service's start. */
    @Override
    public synchronized void onApplicationEvent(ApplicationStartupEvent event) {
        if (loop == null) {
            loop = Loop.start("fleet-state", this::run);
        }
    }

    @PreDestroy
    synchronized void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(35));
        }
    }

    /** A status event about {@code instance} reached Kafka: its part may have changed. */
    public void touched(String instance) {
        pending.add(instance);
        wakeup.signal();
    }

    private void run(Loop loop) {
        boolean ready = false;
        long lastRefresh = System.nanoTime();
        while (loop.running()) {
            long seen = wakeup.generation();
            Duration wait = refresh;
            try {
                if (!ready) {
                    topics.ensure();
                    ready = true;
                }
                if (everything || System.nanoTime() - lastRefresh >= refresh.toNanos()) {
                    source.instances().forEach(key -> pending.add(key.toString()));
                    pending.addAll(sent.keySet()); // those it knew, to tell their deletion
                    everything = false;
                    lastRefresh = System.nanoTime();
                }
                Duration untilRefresh = Duration.ofNanos(Math.max(0, lastRefresh + refresh.toNanos() - System.nanoTime()));
                Duration untilDue = publishPending();
                wait = untilDue.compareTo(untilRefresh) < 0 ? untilDue : untilRefresh;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warn("fleet state not published, tried again within {}: {}", refresh, e.getMessage());
                everything = true;
            }
            try {
                wakeup.await(seen, ready ? wait : Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Publishes the pending parts read long enough ago; returns how long until the next of the others may be read. */
    private Duration publishPending() throws Exception {
        List<String> instances = new ArrayList<>(pending);
        long now = System.nanoTime();
        long nextDue = now + refresh.toNanos();
        for (String instance : instances) {
            long due = lastRead.getOrDefault(instance, now - minInterval.toNanos()) + minInterval.toNanos();
            if (due > now) {
                nextDue = Math.min(nextDue, due);
                continue;
            }
            pending.remove(instance);
            lastRead.put(instance, System.nanoTime());
            Optional<InstanceState> part;
            try {
                part = source.part(InstanceKey.of(instance));
            } catch (RuntimeException e) {
                // This instance's part cannot be read (its credential file damaged, ...): the others still go out. It is
                // read again with its next status event or the next refresh; its last record on Kafka stays meanwhile.
                LOG.warn("fleet state of {} not read, read again with its next event or within {}: {}", instance, refresh,
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                continue;
            }
            InstanceState content = part.map(p -> p.withUpdated(null)).orElse(GONE);
            if (content.equals(sent.get(instance))) {
                continue;
            }
            byte[] value = part.map(p -> Json.write(p.withUpdated(Map.of(service, clock.instant()))).getBytes(StandardCharsets.UTF_8))
                    .orElse(null);
            try {
                producer.get().send(new ProducerRecord<>(topics.parts(), FleetStateFold.partKey(instance, service), value)).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                pending.add(instance);
                throw e;
            }
            if (part.isPresent()) {
                sent.put(instance, content);
            } else {
                sent.remove(instance); // told gone: not asked again
                lastRead.remove(instance);
            }
        }
        return Duration.ofNanos(Math.max(1_000_000, nextDue - System.nanoTime()));
    }
}
