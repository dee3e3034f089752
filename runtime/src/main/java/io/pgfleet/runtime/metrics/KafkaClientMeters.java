package io.pgfleet.runtime.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Keeps one set of tag keys per Kafka client meter name, the first registered, and leaves out the others quietly.
 * micronaut-kafka 5.9.0 registers some names twice, such as {@code kafka.producer.request-total} per client and again
 * per client and broker ({@code node-id}), or {@code record-send-total} per client and per topic; Prometheus takes one
 * set of tag keys per name and refused the second with a warning at every start (micronaut-kafka#1225, fixed after
 * 5.9.0). What is scraped is the same as before; only the warning is gone. Applies to {@code kafka.*} only, so a
 * conflict among pgfleet's own meters still shows.
 */
@Singleton
public class KafkaClientMeters implements MeterFilter {

    private final Map<String, Set<String>> keys = new ConcurrentHashMap<>();

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        if (!id.getName().startsWith("kafka.")) {
            return MeterFilterReply.NEUTRAL;
        }
        Set<String> these = id.getTags().stream().map(Tag::getKey).collect(Collectors.toSet());
        Set<String> first = keys.putIfAbsent(id.getName(), these);
        return first == null || first.equals(these) ? MeterFilterReply.NEUTRAL : MeterFilterReply.DENY;
    }
}
