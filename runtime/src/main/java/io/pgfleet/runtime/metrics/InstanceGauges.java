package io.pgfleet.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * One gauge per instance (tag {@code pgfleet_instance=<namespace>/<name>}: not {@code instance}, which every Prometheus
 * scrape sets to the target's address and would rename pgfleet's to {@code exported_instance}), or per instance and one more tag (a member, a
 * phase), its value read when scraped: set for those that have one, removed for those that no longer do (deleted, no
 * longer archiving, a member removed), so a scrape never shows a stale value for something that is gone.
 */
public final class InstanceGauges {

    /** The tag that names the instance ({@code <namespace>/<name>}). */
    public static final String INSTANCE_TAG = "pgfleet_instance";

    private record Key(String instance, String detail) {
    }

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String unit;
    private final String detailTag;
    private final Map<Key, DoubleSupplier> values = new ConcurrentHashMap<>();
    private final Map<Key, Gauge> gauges = new ConcurrentHashMap<>();

    /** A gauge named {@code name} (Micrometer's dotted form) in {@code unit} ({@code null}: none), tagged by instance. */
    public InstanceGauges(MeterRegistry registry, String name, String description, String unit) {
        this(registry, name, description, unit, null);
    }

    /** The same, tagged by instance and {@code detailTag} (e.g. {@code member}). */
    public InstanceGauges(MeterRegistry registry, String name, String description, String unit, String detailTag) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.unit = unit;
        this.detailTag = detailTag;
    }

    /** The instance's gauge reads {@code value} from now on. */
    public void set(String instance, DoubleSupplier value) {
        set(new Key(instance, null), value);
    }

    /** The gauge of the instance and this detail (tag value) reads {@code value} from now on. */
    public void set(String instance, String detail, DoubleSupplier value) {
        set(new Key(instance, detail), value);
    }

    private void set(Key key, DoubleSupplier value) {
        values.put(key, value);
        gauges.computeIfAbsent(key, k -> {
            Gauge.Builder<Map<Key, DoubleSupplier>> gauge = Gauge.builder(name, values, all -> {
                DoubleSupplier supplier = all.get(k);
                return supplier == null ? Double.NaN : supplier.getAsDouble();
            }).description(description).baseUnit(unit).tag(INSTANCE_TAG, k.instance());
            return (detailTag == null ? gauge : gauge.tag(detailTag, k.detail())).register(registry);
        });
    }

    /** Removes the gauges of every instance not in {@code instances}. */
    public void retain(Collection<String> instances) {
        Set<String> keep = Set.copyOf(instances);
        for (Key key : Set.copyOf(gauges.keySet())) {
            if (!keep.contains(key.instance())) {
                remove(key);
            }
        }
    }

    /** Removes the instance's gauges whose detail is not in {@code details} (a member that is gone). */
    public void retain(String instance, Collection<String> details) {
        Set<String> keep = Set.copyOf(details);
        for (Key key : Set.copyOf(gauges.keySet())) {
            if (key.instance().equals(instance) && !keep.contains(key.detail())) {
                remove(key);
            }
        }
    }

    private void remove(Key key) {
        values.remove(key);
        registry.remove(gauges.remove(key));
    }
}
