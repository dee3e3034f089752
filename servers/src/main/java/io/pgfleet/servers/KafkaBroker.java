package io.pgfleet.servers;

import java.util.Map;
import java.util.Properties;

/** A running Kafka broker. */
public interface KafkaBroker extends AutoCloseable {

    /** {@code host:port} for clients. */
    String bootstrapServers();

    /** What kind of broker it is, for logs ("embedded KRaft 3.9.1", "container apache/kafka:3.9.1"). */
    String description();

    /** Client properties that reach this broker. */
    default Properties clientProperties() {
        Properties properties = new Properties();
        properties.putAll(Map.of("bootstrap.servers", bootstrapServers()));
        return properties;
    }

    @Override
    void close();
}
