package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.status.StatusEvent;
import org.junit.jupiter.api.Test;

/** Where the CLI publishes and reads, in each tenancy mode: the same topics the services use. */
class KafkaOptionsTest {

    private static KafkaOptions options(String tenancy, String namespace) {
        KafkaOptions options = new KafkaOptions();
        options.bootstrapServers = "127.0.0.1:9092";
        options.topicPrefix = "pgfleet";
        options.namespace = namespace;
        options.tenancy = tenancy;
        return options;
    }

    @Test
    void sharedModeUsesOneTopicPerCommandType() {
        Kafka kafka = options("shared", "team-a").kafka();
        assertThat(kafka.topic(CommandType.PROVISION)).isEqualTo(CommandType.PROVISION.defaultTopic());
        assertThat(kafka.statusTopic()).isEqualTo(StatusEvent.DEFAULT_TOPIC);
    }

    @Test
    void namespacedModeUsesTheNamespacesOwnTopics() {
        Kafka kafka = options("namespaced", "team-a").kafka();
        for (CommandType type : CommandType.values()) {
            assertThat(kafka.topic(type)).isEqualTo(type.tenantTopic("team-a"));
        }
        assertThat(kafka.statusTopic()).isEqualTo(StatusEvent.tenantTopic("team-a"));
        assertThatThrownBy(() -> options("tenants", "team-a").kafka()).hasMessageContaining("shared or namespaced");
    }
}
