package io.pgfleet.runtime.fleet;

import io.micronaut.configuration.kafka.ProducerRegistry;
import io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.event.ApplicationStartupEvent;
import io.pgfleet.events.envelope.CloudEventCodec;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.LazyProducer;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.runtime.db.Loop;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Writes the fleet-state topic: reads the parts topic from its start (every partition, no consumer group: the state is
 * rebuilt in memory at each start, and the topic is compacted so that stays short), lays each instance's parts over
 * one another ({@link FleetStateFold}) and writes the instance's record when it changed, a tombstone once the
 * provisioner's part is one. Runs where {@code pgfleet.fleet-state.project} is true (the provisioner).
 */
@Context
@Requires(property = "pgfleet.fleet-state.project", value = "true")
public class FleetStateProjector implements ApplicationEventListener<ApplicationStartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(FleetStateProjector.class);

    private final KafkaDefaultConfiguration kafka;
    private final LazyProducer producer;
    private final FleetStateTopics topics;
    private final PgfleetSettings settings;
    private final Clock clock;
    private Loop loop;

    public FleetStateProjector(KafkaDefaultConfiguration kafka, ProducerRegistry producers,
                               FleetStateTopics topics, PgfleetSettings settings, Clock clock) {
        this.kafka = kafka;
        this.producer = new LazyProducer(producers, "pgfleet-fleet-state");
        this.topics = topics;
        this.settings = settings;
        this.clock = clock;
    }

    /** Starts once the service answers: a view of the fleet, it waits rather than take a core from the service's start. */
    @Override
    public synchronized void onApplicationEvent(ApplicationStartupEvent event) {
        if (loop == null) {
            loop = Loop.start("fleet-state-projector", this::run);
        }
    }

    @PreDestroy
    synchronized void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(35));
        }
    }

    private void run(Loop loop) {
        while (loop.running()) {
            KafkaConsumer<String, byte[]> consumer = consumer();
            try {
                topics.ensure();
                List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor(topics.parts(), Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                if (partitions.isEmpty()) {
                    // A topic just made: its partitions are not in the metadata yet.
                    LOG.debug("topic {} has no partitions yet, read again in 1s", topics.parts());
                    pause(Duration.ofSeconds(1));
                    continue;
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                FleetStateFold fold = new FleetStateFold();
                while (loop.running()) {
                    // A part that arrives ends the poll and the fetch at once; the waits only set how often an idle loop wakes.
                    project(fold, consumer.poll(Duration.ofSeconds(2)));
                }
            } catch (InterruptException e) {
                return;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!loop.running()) {
                    return;
                }
                LOG.warn("fleet-state projection stopped, starting again from the parts' start in 5s: {}", e.getMessage());
                try {
                    pause(Duration.ofSeconds(5));
                } catch (InterruptedException stop) {
                    return;
                }
            } finally {
                close(consumer);
            }
        }
    }

    /** A pause before asking a broker again (it refused, or a topic is still being made), not a wait for a result. */
    private static void pause(Duration pause) throws InterruptedException {
        Thread.sleep(pause.toMillis());
    }

    /** Closes the consumer at once, also when the thread was interrupted to stop (it has no group to leave). */
    private static void close(KafkaConsumer<String, byte[]> consumer) {
        boolean interrupted = Thread.interrupted();
        consumer.close(Duration.ZERO);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void project(FleetStateFold fold, Iterable<ConsumerRecord<String, byte[]>> records) throws Exception {
        List<FleetStateFold.Change> changes = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            InstanceState part = record.value() == null ? null : Json.mapper().readValue(record.value(), InstanceState.class);
            fold.apply(record.key(), part).ifPresent(changes::add);
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (FleetStateFold.Change change : changes) {
            sent.add(producer.get().send(CloudEventCodec.instanceState(topics.instances(), UUID.randomUUID().toString(), settings.source(),
                    change.instance(), change.state(), clock.instant())));
        }
        for (int i = 0; i < sent.size(); i++) {
            try {
                sent.get(i).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                fold.untold(changes.get(i).instance()); // told again with the instance's next part
                throw e;
            }
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties properties = new Properties();
        properties.putAll(kafka.getConfig());
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.serviceName() + "-fleet-state");
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "2000");
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
