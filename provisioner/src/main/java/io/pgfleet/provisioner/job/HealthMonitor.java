package io.pgfleet.provisioner.job;

import io.pgfleet.runtime.job.JobKind;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.status.Phase;
import io.pgfleet.provisioner.instance.InstancePhase;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.provisioner.instance.InstanceRow;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.Observation;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Watches ready and degraded instances that no job is working on. A member down or not streaming makes the
 * instance {@code DEGRADED} (an event: {@code PrimaryLost}, {@code StandbyLost} or {@code InstanceDegraded}) and starts a
 * repair job; the repair's end makes it {@code READY} again (another event). An instance whose repair failed stays
 * watched and is repaired again once its back-off ends. WAL that waits to be archived longer than the archive delay makes
 * the instance {@code DEGRADED} too ({@code ArchiveBehind}), without a repair; {@code READY} again once it caught up.
 * {@code pgfleet.provisioner.health-interval} (default 2s): the pause between two health checks of every instance.
 */
@Singleton
public class HealthMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    private final InstanceRepository instances;
    private final JobRepository jobs;
    private final ClusterDriver driver;
    private final StatusOutbox status;
    private final Clock clock;
    private final PrimaryWatch primaries;
    private final InstanceMetrics instanceMetrics;

    public HealthMonitor(InstanceRepository instances, JobRepository jobs, ClusterDriver driver, StatusOutbox status, Clock clock,
                         PrimaryWatch primaries, InstanceMetrics instanceMetrics) {
        this.instanceMetrics = instanceMetrics;
        this.primaries = primaries;
        this.instances = instances;
        this.jobs = jobs;
        this.driver = driver;
        this.status = status;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = "${pgfleet.provisioner.health-interval:2s}", initialDelay = "2s")
    void check() {
        List<InstanceRow> watched = instances.findByPhaseInList(List.of(InstancePhase.READY.name(), InstancePhase.DEGRADED.name()));
        instanceMetrics.watching(watched.stream().map(InstanceRow::key).toList());
        Set<String> worked = watched.isEmpty() ? Set.of() : new HashSet<>(jobs.findOpenInstances());
        for (InstanceRow row : watched) {
            try {
                // Only a degraded instance can be waiting for its next repair. (Acting on one locks its row and counts again.)
                if (worked.contains(row.key()) || (row.phase().equals(InstancePhase.DEGRADED.name())
                        && instances.repairBackingOff(row.key(), Instant.now(clock)))) {
                    continue;
                }
                Observation observed = driver.observe(InstanceKey.of(row.key()));
                instanceMetrics.seen(row.key(), observed);
                if (PrimaryWatch.worthALook(row, observed)) {
                    primaries.seen(row, observed);   // in a transaction of its own, only when there is something to tell
                }
                if (!observed.ready()) {
                    degraded(row, observed);
                } else if (observed.archiveProblem() != null || row.phase().equals(InstancePhase.DEGRADED.name())) {
                    archiving(row, observed);
                }
            } catch (RuntimeException e) {
                LOG.warn("health check of {} failed: {}", row.key(), e.toString());
            }
        }
    }

    /** {@code PrimaryLost} when the primary does not run, {@code StandbyLost} when a standby does not stream, else {@code InstanceDegraded}. */
    static String reason(Observation observed) {
        if (observed.members().stream().anyMatch(m -> "primary".equals(m.role()) && !"running".equals(m.state()))) {
            return "PrimaryLost";
        }
        if (observed.members().stream().anyMatch(m -> !"primary".equals(m.role()) && !"streaming".equals(m.state()))) {
            return "StandbyLost";
        }
        return "InstanceDegraded";
    }

    /**
     * Every member is ready: an archive that falls behind makes the instance {@code DEGRADED} ({@code ArchiveBehind}, said
     * once; nothing for a repair to do: archiving goes on by itself once S3 answers), and a degraded instance that is whole
     * again (archive caught up, or ready after a failed repair) is {@code READY} again.
     */
    @Transactional
    public void archiving(InstanceRow row, Observation observed) {
        Optional<String> phase = instances.lockPhase(row.key());
        if (phase.isEmpty() || jobs.countOpen(row.key()) > 0) {
            return;
        }
        InstanceKey key = InstanceKey.of(row.key());
        if (observed.archiveProblem() != null) {
            if (phase.get().equals(InstancePhase.READY.name())) {
                status.observed(key, null, Phase.DEGRADED, "ArchiveBehind", observed.archiveProblem(), null);
                LOG.warn("{} degraded: {}", row.key(), observed.archiveProblem());
                instances.updatePhase(row.key(), InstancePhase.DEGRADED.name(), observed.message());
            }
        } else if (phase.get().equals(InstancePhase.DEGRADED.name())) {
            status.observed(key, null, Phase.READY, "InstanceReady", "ready again: " + observed.message(), null);
            instances.updatePhase(row.key(), InstancePhase.READY.name(), observed.message());
        }
    }

    /**
     * Marks the instance degraded, says so once, and starts a repair. With several replicas of the provisioner,
     * the instance's row is locked first and the open jobs counted again, so one of them acts and the others find
     * the repair already there.
     */
    @Transactional
    public void degraded(InstanceRow row, Observation observed) {
        Optional<String> phase = instances.lockPhase(row.key());
        if (phase.isEmpty() || jobs.countOpen(row.key()) > 0
                || !List.of(InstancePhase.READY.name(), InstancePhase.DEGRADED.name()).contains(phase.get())) {
            return;
        }
        if (phase.get().equals(InstancePhase.READY.name())) {
            status.observed(InstanceKey.of(row.key()), null, Phase.DEGRADED, reason(observed), observed.message(), null);
            LOG.warn("{} degraded: {}", row.key(), observed.message());
        }
        instances.updatePhase(row.key(), InstancePhase.DEGRADED.name(), observed.message());
        jobs.save(JobRow.pending(row.key(), null, JobKind.REPAIR, row.spec(), Instant.now(clock)));
    }
}
