package io.pgfleet.cli;

import io.pgfleet.events.InstanceKey;
import picocli.CommandLine.Option;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Where commands go and whom they name: every command that talks to Kafka takes these. */
public class KafkaOptions {

    @Option(names = "--bootstrap-servers", defaultValue = "${env:PGFLEET_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: $PGFLEET_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = {"-n", "--namespace"}, defaultValue = "${env:PGFLEET_NAMESPACE:-default}",
            description = "Namespace of the instance (default: $PGFLEET_NAMESPACE or ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--topic-prefix", defaultValue = "pgfleet", hidden = true,
            description = "Prefix of the command and status topics (pgfleet.command.<type>, pgfleet.status).")
    String topicPrefix;

    @Option(names = "--tenancy", defaultValue = "${env:PGFLEET_TENANCY_MODE:-shared}",
            description = "The fleet's tenancy mode: shared (pgfleet.command.<type>) or namespaced (pgfleet.<namespace>.command.<type>, "
                    + "pgfleet.<namespace>.status) (default: $PGFLEET_TENANCY_MODE or ${DEFAULT-VALUE}).")
    String tenancy;

    @Option(names = "--kafka-config", defaultValue = "${env:PGFLEET_KAFKA_CONFIG:-}",
            description = "A Kafka client properties file, as Kafka's own tools take (--command-config): security.protocol, "
                    + "sasl.mechanism, sasl.jaas.config, ssl.truststore.location ... (default: $PGFLEET_KAFKA_CONFIG).")
    String kafkaConfig;

    InstanceKey instance(String name) {
        return InstanceKey.parse(name, namespace);
    }

    Kafka kafka() {
        Properties client = new Properties();
        if (kafkaConfig != null && !kafkaConfig.isBlank()) {
            try (Reader in = Files.newBufferedReader(Path.of(kafkaConfig))) {
                client.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("--kafka-config " + kafkaConfig + " cannot be read: " + e.getMessage(), e);
            }
        }
        return switch (tenancy) {
            case "shared" -> new Kafka(bootstrapServers, topicPrefix, client);
            // The namespace's own topics: its principal's ACLs let it publish there and read its answers.
            case "namespaced" -> new Kafka(bootstrapServers, topicPrefix + "." + namespace, client);
            default -> throw new IllegalArgumentException("--tenancy is '" + tenancy + "'; it is shared or namespaced");
        };
    }
}
