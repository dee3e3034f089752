package io.pgfleet.backup.wal;

import com.fasterxml.jackson.core.type.TypeReference;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.scheduling.annotation.Scheduled;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.metrics.InstanceGauges;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Each instance's recovery window as its WAL archive last held it ({@code wal_archive}, read again every
 * {@code pgfleet.backup.metrics-interval}, default 60s): {@code pgfleet_wal_recovery_window_seconds} (from the earliest
 * time a restore reaches to now, at scrape time), {@code pgfleet_wal_base_backups} and
 * {@code pgfleet_wal_base_backup_age_seconds} (since the newest base backup ended).
 */
@Singleton
public class WalMetrics {

    private final WalArchiveRepository archives;
    private final Clock clock;
    private final InstanceGauges window;
    private final InstanceGauges count;
    private final InstanceGauges newest;

    public WalMetrics(WalArchiveRepository archives, Clock clock, MeterRegistry registry) {
        this.archives = archives;
        this.clock = clock;
        this.window = new InstanceGauges(registry, "pgfleet.wal.recovery.window", "how far back a point-in-time restore of the instance reaches",
                "seconds");
        this.count = new InstanceGauges(registry, "pgfleet.wal.base.backups", "base backups in the instance's WAL archive", null);
        this.newest = new InstanceGauges(registry, "pgfleet.wal.base.backup.age", "time since the instance's newest base backup ended", "seconds");
    }

    @Scheduled(fixedDelay = "${pgfleet.backup.metrics-interval:60s}", initialDelay = "2s")
    void refresh() {
        List<String> seen = new ArrayList<>();
        for (WalArchiveRow row : archives.findAll()) {
            seen.add(row.instance());
            List<ArchiveInfo.BaseBackup> backups = Json.read(row.baseBackups(), new TypeReference<List<ArchiveInfo.BaseBackup>>() { });
            count.set(row.instance(), backups::size);
            if (row.earliest() != null) {
                Instant earliest = row.earliest();
                window.set(row.instance(), () -> Math.max(0, Duration.between(earliest, clock.instant()).toMillis() / 1000.0));
            }
            if (!backups.isEmpty()) {
                Instant stop = backups.get(backups.size() - 1).stop();
                newest.set(row.instance(), () -> Duration.between(stop, clock.instant()).toMillis() / 1000.0);
            }
        }
        window.retain(seen);
        count.retain(seen);
        newest.retain(seen);
    }
}
