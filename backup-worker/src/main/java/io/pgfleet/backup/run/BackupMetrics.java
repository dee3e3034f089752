package io.pgfleet.backup.run;

import io.pgfleet.backup.catalog.BackupRunRepository;
import io.pgfleet.backup.catalog.BackupRunRow;
import io.pgfleet.backup.catalog.BackupDrillRepository;
import io.pgfleet.backup.catalog.BackupDrillRow;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.scheduling.annotation.Scheduled;
import io.pgfleet.events.validation.CronExpression;
import io.pgfleet.runtime.metrics.InstanceGauges;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The logical backups of each instance with backups enabled: {@code pgfleet_backup_last_success_timestamp_seconds} (when
 * the newest kept successful backup ended; absent before the first) and {@code pgfleet_backup_schedule_interval_seconds}
 * (the longest gap the schedule leaves between two runs, over its next week), so an alert can tell a backup older than
 * the schedule allows: {@code time() - last > interval + grace}. Restore drills: {@code pgfleet_backup_last_verified_timestamp_seconds}
 * (when the instance's newest successful drill ended) and {@code pgfleet_backup_last_restore_seconds} (how long that
 * drill's restore took: the measured recovery time).
 */
@Singleton
public class BackupMetrics {

    private final BackupConfigRepository configs;
    private final BackupRunRepository runs;
    private final Clock clock;
    private final InstanceGauges last;
    private final InstanceGauges interval;
    private final BackupDrillRepository drills;
    private final InstanceGauges verified;
    private final InstanceGauges restoreSeconds;
    private final InstanceGauges drillInterval;

    public BackupMetrics(BackupConfigRepository configs, BackupRunRepository runs, BackupDrillRepository drills, Clock clock,
                         MeterRegistry registry) {
        this.configs = configs;
        this.runs = runs;
        this.drills = drills;
        this.verified = new InstanceGauges(registry, "pgfleet.backup.last.verified.timestamp", "when the instance's newest successful "
                + "restore drill ended (Unix time)", "seconds");
        this.restoreSeconds = new InstanceGauges(registry, "pgfleet.backup.last.restore", "how long the restore of the instance's "
                + "newest successful restore drill took (its measured recovery time)", "seconds");
        this.drillInterval = new InstanceGauges(registry, "pgfleet.backup.verify.interval", "the longest gap between two restore drills "
                + "of the instance's drill schedule", "seconds");
        this.clock = clock;
        this.last = new InstanceGauges(registry, "pgfleet.backup.last.success.timestamp", "when the instance's newest kept successful "
                + "backup ended (Unix time)", "seconds");
        this.interval = new InstanceGauges(registry, "pgfleet.backup.schedule.interval", "the longest gap between two runs of the "
                + "instance's backup schedule", "seconds");
    }

    @Scheduled(fixedDelay = "${pgfleet.backup.metrics-interval:60s}", initialDelay = "2s")
    void refresh() {
        Map<String, BackupRunRow> newest = new HashMap<>();
        runs.findLastSucceeded().forEach(run -> newest.put(run.instance(), run));
        List<String> enabled = new ArrayList<>();
        List<String> drilledOnSchedule = new ArrayList<>();
        for (BackupConfigRow config : configs.findAll()) {
            if (!config.enabled()) {
                continue;
            }
            enabled.add(config.instance());
            if (config.verifyCron() != null) {
                drilledOnSchedule.add(config.instance());
                double drillGap = longestGap(CronExpression.parse(config.verifyCron()), ZonedDateTime.now(clock.withZone(ZoneOffset.UTC)))
                        .toSeconds();
                drillInterval.set(config.instance(), () -> drillGap);
            }
            double gap = longestGap(CronExpression.parse(config.schedule()), ZonedDateTime.now(clock.withZone(ZoneOffset.UTC))).toSeconds();
            interval.set(config.instance(), () -> gap);
            BackupRunRow run = newest.get(config.instance());
            if (run != null && run.finishedAt() != null) {
                double at = run.finishedAt().toEpochMilli() / 1000.0;
                last.set(config.instance(), () -> at);
            }
        }
        interval.retain(enabled);
        drillInterval.retain(drilledOnSchedule);
        last.retain(newest.keySet().stream().filter(enabled::contains).toList());
        List<String> drilled = new ArrayList<>();
        for (BackupDrillRow drill : drills.findLastSucceeded()) {
            drilled.add(drill.instance());
            double at = drill.finishedAt().toEpochMilli() / 1000.0;
            verified.set(drill.instance(), () -> at);
            double took = drill.restoreMs() == null ? 0 : drill.restoreMs() / 1000.0;
            restoreSeconds.set(drill.instance(), () -> took);
        }
        verified.retain(drilled);
        restoreSeconds.retain(drilled);
    }

    /** The longest time between two consecutive runs of {@code schedule} over the week after {@code from}. */
    static Duration longestGap(CronExpression schedule, ZonedDateTime from) {
        Duration longest = Duration.ZERO;
        ZonedDateTime previous = schedule.next(from);
        ZonedDateTime end = from.plusWeeks(1);
        for (int runs = 0; previous.isBefore(end) && runs < 10_000; runs++) {
            ZonedDateTime next = schedule.next(previous);
            longest = Duration.between(previous, next).compareTo(longest) > 0 ? Duration.between(previous, next) : longest;
            previous = next;
        }
        return longest;
    }
}
