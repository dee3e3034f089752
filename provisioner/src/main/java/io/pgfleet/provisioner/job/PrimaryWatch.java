package io.pgfleet.provisioner.job;

import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import io.pgfleet.clusters.PrimaryChange;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.provisioner.instance.InstanceRow;
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
    private final RoleChanges roleChanges;
    private final Clock clock;

    public PrimaryWatch(InstanceRepository instances, RoleChanges roleChanges, Clock clock) {
        this.instances = instances;
        this.roleChanges = roleChanges;
        this.clock = clock;
    }

    /** Whether {@link #seen} has anything to do: the primary is not the one the row names, or a change is still to be told. */
    static boolean worthALook(InstanceRow row, Observation observed) {
        String primary = observed.members().stream().filter(m -> "primary".equals(m.role())).map(Member::name).findFirst().orElse(null);
        return primary != null && (!primary.equals(row.primaryMember()) || row.failover() != null);
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
            PrimaryChange change = new PrimaryChange("Failover", null, row.primaryMember(), null, primary.get(),
                    "the cluster changed its primary by itself", Instant.now(clock), null);
            roleChanges.started(key, change, primary.get() + " is the primary in place of " + row.primaryMember());
            failover = instances.findFailover(row.key()).orElseThrow();
        } else if (!primary.get().equals(row.primaryMember())) {
            instances.updatePrimaryMember(row.key(), primary.get());
        }
        if (failover != null && observed.ready()) {
            roleChanges.completed(key, failover, Map.of("members", observed.members().size(), "primaryMember", primary.get()), observed.message());
        }
    }
}
