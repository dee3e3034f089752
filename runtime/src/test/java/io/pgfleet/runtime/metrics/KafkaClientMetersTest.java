package io.pgfleet.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaClientMetersTest {

    /** What micronaut-kafka registers for one producer: its total, then the same name per broker. */
    private static List<String> register(PrometheusMeterRegistry registry) {
        List<String> refused = new ArrayList<>();
        registry.config().onMeterRegistrationFailed((id, reason) -> refused.add(id.getName() + " " + id.getTags()));
        FunctionCounter.builder("kafka.producer.request-total", 7.0, n -> n).tags(Tags.of("client-id", "pgfleet-status")).register(registry);
        FunctionCounter.builder("kafka.producer.request-total", 3.0, n -> n).tags(Tags.of("client-id", "pgfleet-status", "node-id", "node-1"))
                .register(registry);
        return refused;
    }

    @Test
    void aKafkaClientsTotalIsScrapedAndItsPerBrokerMeterLeftOutWithoutARefusal() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new KafkaClientMeters());

        assertThat(register(registry)).isEmpty();
        assertThat(registry.scrape()).contains("kafka_producer_request_total{client_id=\"pgfleet-status\"} 7.0").doesNotContain("node_id");
    }

    @Test
    void withoutItPrometheusRefusesThePerBrokerMeter() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        assertThat(register(registry)).hasSize(1);
    }

    @Test
    void everyClientsMetersAreKeptAndAMeterOfOnlyOneKindToo() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new KafkaClientMeters());
        register(registry);
        FunctionCounter.builder("kafka.producer.request-total", 2.0, n -> n).tags(Tags.of("client-id", "pgfleet-dlq")).register(registry);
        FunctionCounter.builder("kafka.consumer.records-lag", 4.0, n -> n).tags(Tags.of("client-id", "c", "topic", "t", "partition", "0"))
                .register(registry);

        assertThat(registry.scrape()).contains("kafka_producer_request_total{client_id=\"pgfleet-dlq\"} 2.0")
                .contains("kafka_consumer_records_lag_total{client_id=\"c\",partition=\"0\",topic=\"t\"} 4.0");
    }

    @Test
    void pgfleetsOwnMetersAreLeftAlone() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new KafkaClientMeters());
        List<String> refused = new ArrayList<>();
        registry.config().onMeterRegistrationFailed((id, reason) -> refused.add(id.getName()));
        FunctionCounter.builder("pgfleet.something", 1.0, n -> n).tags(Tags.of("a", "1")).register(registry);
        FunctionCounter.builder("pgfleet.something", 1.0, n -> n).tags(Tags.of("a", "1", "b", "2")).register(registry);

        assertThat(refused).containsExactly("pgfleet.something");
    }
}
