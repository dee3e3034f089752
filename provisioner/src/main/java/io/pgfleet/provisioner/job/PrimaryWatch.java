package io.pgfleet.provisioner.job;

import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.Phase;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.provisioner.instance.InstanceRow;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Tells a change of primary that pgfleet did not make (CloudNativePG fails over by itself) the way pgfleet's own
 * failovers are told: {@code DEGRADED}/{@code FailoverStarted} when the health monitor first sees another primary than
 * the one it knew, {@code READY}/{@code FailoverCompleted} once the instance is ready again.
 */
@Singleton
public class PrimaryWatch {

    private final InstanceRepository instances;
    private final StatusOutbox status;
    private final Clock clock;

    public PrimaryWatch(InstanceRepository instances, StatusOutbox status, Clock clock) {
        this.instances = instances;
        this.status = status;
        this.clock = clock;
    }

    /** What the health monitor saw of an instance no job is working on (its row as read before observing). */
    @Transactional
    public void seen(InstanceRow row, Observation observed) {
        InstanceKey key = InstanceKey.of(row.key());
        Optional<String> primary = observed.members().stream().filter(m -> "primary".equals(m.role())).map(Member::name).findFirst();
        if (primary.isEmpty() || instances.lockPhase(row.key()).isEmpty()) {
            return;
        }
        row = instances.findById(row.key()).orElseThrow();   // as it is now, locked: a job may have finished since it was read
        String failover = row.failover();
        if (row.primaryMember() != null && !row.primaryMember().equals(primary.get()) && failover == null) {
            Map<String, Object> started = new LinkedHashMap<>();
            started.put("kind", "Failover");
            started.put("oldPrimary", row.primaryMember());
            started.put("newPrimary", primary.get());
            started.put("why", "the cluster changed its primary by itself");
            started.put("primaryDownSince", Instant.now(clock).toString());
            started.put("startedAt", Instant.now(clock).toString());
            failover = Json.write(started);
            status.observed(key, null, Phase.DEGRADED, "FailoverStarted", primary.get() + " is the primary in place of " + row.primaryMember(), started);
            instances.updateFailover(row.key(), failover);
        }
        if (!primary.get().equals(row.primaryMember())) {
            instances.updatePrimaryMember(row.key(), primary.get());
        }
        if (failover != null && observed.ready()) {
            Map<String, Object> details = new LinkedHashMap<>(Json.read(failover, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {
            }));
            details.put("members", observed.members().size());
            details.put("primaryMember", primary.get());
            String kind = String.valueOf(details.get("kind"));
            status.observed(key, null, Phase.READY, kind + "Completed", kind.toLowerCase(java.util.Locale.ROOT) + " completed: " + observed.message(),
                    details);
            instances.updateFailover(row.key(), null);
        }
    }
}
