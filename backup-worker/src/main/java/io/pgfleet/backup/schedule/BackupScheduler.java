package io.pgfleet.backup.schedule;

import io.micronaut.scheduling.annotation.Scheduled;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import io.pgfleet.events.validation.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires each instance's cron. Every tick ({@code pgfleet.backup.tick}, default 10s) looks for
 * configurations whose next run is due by the service's clock; taking a run moves the next run
 * forward in the same statement that checks it, so with several replicas one takes it and the
 * others see it moved. The next run is computed from now, not from the missed slot: runs missed
 * while no worker ran become one run, not one per slot. Restore drills ({@link DrillSchedule}) are fired the same way.
 */
@Singleton
public class BackupScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);

    private final BackupConfigRepository configs;
    private final ScheduledRuns runs;
    private final Clock clock;
    private final DrillSchedule drills;

    public BackupScheduler(BackupConfigRepository configs, ScheduledRuns runs, Clock clock, DrillSchedule drills) {
        this.configs = configs;
        this.runs = runs;
        this.clock = clock;
        this.drills = drills;
    }

    @Scheduled(fixedDelay = "${pgfleet.backup.tick:10s}", initialDelay = "1s")
    void tick() {
        try {
            fireDue();
        } catch (RuntimeException e) {
            LOG.warn("schedule check failed, retrying at the next tick: {}", e.getMessage());
        }
    }

    /** Queues the runs due now; returns how many this replica took. */
    public int fireDue() {
        Instant now = Instant.now(clock);
        int taken = 0;
        for (BackupConfigRow due : configs.findDue(now)) {
            if (runs.take(due, now)) {
                taken++;
            }
        }
        planDrills(now);
        for (BackupConfigRow due : configs.findDrillsDue(now)) {
            if (runs.takeDrill(due, now)) {
                taken++;
            }
        }
        return taken;
    }

    /**
     * Plans each instance's restore drills from the schedule it follows now (its own, or the operator's), where that is not
     * the one its next drill was planned from: a document or an operator that changed it, or an instance never planned.
     */
    private void planDrills(Instant now) {
        for (BackupConfigRow row : configs.findAll()) {
            String cron = row.enabled() ? drills.effective(row.verifySchedule()) : null;
            if (!Objects.equals(cron, row.verifyCron())) {
                Instant next = cron == null ? null : CronExpression.parse(cron).next(now.atZone(ZoneOffset.UTC)).toInstant();
                if (configs.planDrills(row.instance(), row.verifyCron(), cron, next) == 1) {
                    LOG.info("restore drills of {}: {}", row.instance(), cron == null ? "none" : cron + " UTC, next at " + next);
                }
            }
        }
    }
}
