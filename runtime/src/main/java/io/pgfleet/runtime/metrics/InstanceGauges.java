package io.pgfleet.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * One gauge per instance (tag {@code instance=<namespace>/<name>}), its value read when scraped: set for the instances
 * that have one, removed for those that no longer do (deleted, or no longer archiving), so a scrape never shows a
 * stale value for an instance that is gone.
 */
public final class InstanceGauges {

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String unit;
    private final Map<String, DoubleSupplier> values = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    /** A gauge named {@code name} (Micrometer's dotted form) in {@code unit} ({@code null}: none). */
    public InstanceGauges(MeterRegistry registry, String name, String description, String unit) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.unit = unit;
    }

    /** The instance's gauge reads {@code value} from now on. */
    public void set(String instance, DoubleSupplier value) {
        values.put(instance, value);
        gauges.computeIfAbsent(instance, key -> Gauge.builder(name, values, all -> {
            DoubleSupplier supplier = all.get(key);
            return supplier == null ? Double.NaN : supplier.getAsDouble();
        }).description(description).baseUnit(unit).tag("instance", key).register(registry));
    }

    /** Removes the gauges of every instance not in {@code instances}. */
    public void retain(Collection<String> instances) {
        Set<String> keep = Set.copyOf(instances);
        for (String instance : Set.copyOf(gauges.keySet())) {
            if (!keep.contains(instance)) {
                values.remove(instance);
                registry.remove(gauges.remove(instance));
            }
        }
    }
}
