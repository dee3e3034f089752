package io.pgfleet.provisioner.job;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.clusters.PrimaryChange;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.Phase;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.runtime.metrics.ServiceMetrics;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a change of primary is told, whoever made it (a repair's failover, a switchover, CloudNativePG by itself):
 * {@code DEGRADED}/{@code <kind>Started} once, its details kept on the instance's row ({@code failover}) with the new
 * primary ({@code primary_member}); then {@code READY}/{@code <kind>Completed} with those details, what the instance
 * looks like now and {@code durationMs} since the primary stopped. Called inside the caller's transaction.
 */
@Singleton
public class RoleChanges {

    private final InstanceRepository instances;
    private final StatusOutbox status;
    private final Clock clock;
    private final ServiceMetrics metrics;

    public RoleChanges(InstanceRepository instances, StatusOutbox status, Clock clock, ServiceMetrics metrics) {
        this.instances = instances;
        this.status = status;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** {@code <kind>Started} (Failover, Switchover), with the change's details and when it was told. */
    public void started(InstanceKey key, PrimaryChange change, String message) {
        Map<String, Object> started = change.details();
        started.put("startedAt", Instant.now(clock).toString());
        status.observed(key, null, Phase.DEGRADED, change.kind() + "Started", message, started);
        instances.updateFailover(key.toString(), Json.write(started));
        instances.updatePrimaryMember(key.toString(), change.newPrimary());
    }

    /** {@code <kind>Completed} for the change {@code stored} (what {@link #started} kept), with {@code now}'s facts; forgets it. */
    public void completed(InstanceKey key, String stored, Map<String, Object> now, String message) {
        Map<String, Object> details = new LinkedHashMap<>(Json.read(stored, new TypeReference<Map<String, Object>>() {
        }));
        details.putAll(now);
        Object since = details.get("primaryDownSince");
        String kind = String.valueOf(details.get("kind"));
        if (since != null) {
            Duration took = Duration.between(Instant.parse(since.toString()), Instant.now(clock));
            details.put("durationMs", took.toMillis());
            metrics.primaryChanged(kind.toLowerCase(Locale.ROOT), String.valueOf(details.getOrDefault("cause", "unknown")), took);
        }
        status.observed(key, null, Phase.READY, kind + "Completed", kind.toLowerCase(Locale.ROOT) + " completed: " + message, details);
        instances.updateFailover(key.toString(), null);
    }
}
