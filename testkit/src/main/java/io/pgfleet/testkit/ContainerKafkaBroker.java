package io.pgfleet.testkit;

import io.pgfleet.servers.KafkaBroker;

import org.testcontainers.kafka.KafkaContainer;

/** A Kafka broker in a container, where a Docker engine answers. */
public final class ContainerKafkaBroker implements KafkaBroker {

    /** The image, the same Kafka version as the embedded broker. */
    public static final String IMAGE = "apache/kafka:3.9.1";

    private final KafkaContainer container;

    private ContainerKafkaBroker(KafkaContainer container) {
        this.container = container;
    }

    /** Starts the container. */
    public static ContainerKafkaBroker start() {
        KafkaContainer container = new KafkaContainer(IMAGE);
        container.start();
        return new ContainerKafkaBroker(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String description() {
        return "container " + IMAGE + " at " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
