package io.pgfleet.provisioner.job;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgfleet.clusters.ArchiveState;
import io.pgfleet.runtime.metrics.InstanceGauges;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;

/**
 * The WAL archiving of each instance as the health monitor last observed it on its primary ({@code pg_stat_archiver}):
 * {@code pgfleet_wal_archive_age_seconds} (since the last segment was archived, at scrape time: with a steady write
 * load it stays below the archive delay) and {@code pgfleet_wal_archive_waiting_segments} (segments not archived yet).
 */
@Singleton
public class ArchiveMetrics {

    private final Clock clock;
    private final InstanceGauges age;
    private final InstanceGauges waiting;

    public ArchiveMetrics(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.age = new InstanceGauges(registry, "pgfleet.wal.archive.age", "time since the instance's last WAL segment was archived", "seconds");
        this.waiting = new InstanceGauges(registry, "pgfleet.wal.archive.waiting", "WAL segments of the instance waiting to be archived",
                "segments");
    }

    /** What was observed of an instance's archiving ({@code null}: it does not archive). */
    public void seen(String instance, ArchiveState archive) {
        if (archive == null) {
            return;
        }
        age.set(instance, () -> archive.lastArchivedAt() == null ? Double.NaN
                : Duration.between(archive.lastArchivedAt(), clock.instant()).toMillis() / 1000.0);
        waiting.set(instance, archive::waiting);
    }

    /** Forgets every instance not in {@code instances} (deleted). */
    public void retain(Collection<String> instances) {
        age.retain(instances);
        waiting.retain(instances);
    }
}
