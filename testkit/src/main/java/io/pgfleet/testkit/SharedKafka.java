package io.pgfleet.testkit;

import io.pgfleet.servers.EmbeddedKafkaBroker;
import io.pgfleet.servers.KafkaBroker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * One Kafka broker per test JVM: a Testcontainers broker where a Docker engine answers, the embedded
 * KRaft broker everywhere else (or always, with {@code -Dpgfleet.kafka=embedded}). Stopped when the
 * JVM exits.
 */
public final class SharedKafka {

    private static final Logger LOG = LoggerFactory.getLogger(SharedKafka.class);
    private static KafkaBroker broker;

    private SharedKafka() {
    }

    /** The broker, started on first use. */
    public static synchronized KafkaBroker get() {
        if (broker == null) {
            broker = useContainer() ? ContainerKafkaBroker.start() : EmbeddedKafkaBroker.start();
            LOG.info("Kafka for this test JVM: {}", broker.description());
            KafkaBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop shared Kafka"));
        }
        return broker;
    }

    private static boolean useContainer() {
        String choice = System.getProperty("pgfleet.kafka", "auto");
        if (choice.equals("embedded")) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
