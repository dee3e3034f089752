package io.pgfleet.runtime;

import io.micronaut.configuration.kafka.ProducerRegistry;
import io.micronaut.core.type.Argument;
import org.apache.kafka.clients.producer.Producer;

/**
 * One of the services' Kafka producers ({@code kafka.producers.<id>} settings), made where it is first used instead of
 * while the service starts: the relay makes the status producer on its own thread as it starts, the fleet-state and
 * dead-letter producers are made by their first record. Creating a producer (its settings, metrics, sender thread and,
 * for an idempotent one, its producer id) took part of every start on the main thread; made on the thread that uses it,
 * it runs beside the rest of the start. micronaut-kafka keeps one producer per id and closes it when the service stops.
 */
public final class LazyProducer {

    private final ProducerRegistry registry;
    private final String id;

    public LazyProducer(ProducerRegistry registry, String id) {
        this.registry = registry;
        this.id = id;
    }

    /** The producer, made at the first call. */
    public Producer<String, byte[]> get() {
        return registry.getProducer(id, Argument.STRING, Argument.of(byte[].class));
    }
}
