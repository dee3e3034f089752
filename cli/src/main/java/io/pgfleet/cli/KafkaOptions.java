package io.pgfleet.cli;

import io.pgfleet.events.InstanceKey;
import picocli.CommandLine.Option;

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

    InstanceKey instance(String name) {
        return InstanceKey.parse(name, namespace);
    }

    Kafka kafka() {
        return new Kafka(bootstrapServers, topicPrefix);
    }
}
