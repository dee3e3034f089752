package io.pgfleet.runtime.fleet;

import io.pgfleet.events.fleet.InstanceState;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Lays the services' parts of each instance over one another: what the fleet-state topic says of it (pure; the
 * projector feeds it the parts topic in order). An instance has a record while the provisioner has a part for it; once
 * the provisioner's part is a tombstone (deleted), the instance's record is a tombstone too, whatever the others said.
 */
public final class FleetStateFold {

    /** The service whose part makes an instance exist. */
    public static final String OWNER = "provisioner";

    /** What to write for an instance: its state, or a tombstone ({@code state} null). */
    public record Change(String instance, InstanceState state) {
    }

    private final Map<String, Map<String, InstanceState>> parts = new HashMap<>();
    private final Map<String, Optional<InstanceState>> told = new HashMap<>();

    /** The key of a part record: {@code <namespace>/<name>@<service>}. */
    public static String partKey(String instance, String service) {
        return instance + "@" + service;
    }

    /**
     * One record of the parts topic ({@code part} null: a tombstone). Returns what the instance's record must now say,
     * or empty when it says that already.
     */
    public Optional<Change> apply(String key, InstanceState part) {
        int at = key == null ? -1 : key.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty(); // not a part record
        }
        String instance = key.substring(0, at);
        String service = key.substring(at + 1);
        Map<String, InstanceState> of = parts.computeIfAbsent(instance, i -> new TreeMap<>());
        if (part == null) {
            of.remove(service);
        } else {
            of.put(service, part);
        }
        Optional<InstanceState> now = Optional.ofNullable(merged(instance, of));
        if (of.isEmpty()) {
            parts.remove(instance);
        }
        if (now.equals(told.get(instance))) {
            return Optional.empty();
        }
        if (now.isEmpty() && !told.containsKey(instance) && !(part == null && service.equals(OWNER))) {
            return Optional.empty(); // no owner yet: nothing to tell (the owner's own tombstone is told, for a record from before)
        }
        told.put(instance, now);
        return Optional.of(new Change(instance, now.orElse(null)));
    }

    /** Forgets what was told of an instance (its record could not be written): the next part tells it again. */
    public void untold(String instance) {
        told.remove(instance);
    }

    static InstanceState merged(String instance, Map<String, InstanceState> parts) {
        InstanceState owner = parts.get(OWNER);
        if (owner == null) {
            return null;
        }
        InstanceState state = new InstanceState(instance, null, null, null, null, null, null, null, null, null, null, null, null).with(owner);
        for (Map.Entry<String, InstanceState> part : parts.entrySet()) {
            if (!part.getKey().equals(OWNER)) {
                state = state.with(part.getValue());
            }
        }
        return state;
    }
}
