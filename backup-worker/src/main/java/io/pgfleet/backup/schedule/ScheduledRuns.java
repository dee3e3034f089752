package io.pgfleet.backup.schedule;

import io.pgfleet.backup.command.BackupCommands;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.pgfleet.backup.catalog.BackupRunRepository;
import io.pgfleet.backup.catalog.BackupRunRow;
import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.validation.CronExpression;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import io.pgfleet.runtime.job.JobKind;
import java.io.IOException;

/** Takes one due run: moves the schedule on, records the run and its job, announces it — together or not at all. */
@Singleton
public class ScheduledRuns {

    private final BackupConfigRepository configs;
    private final BackupRunRepository runs;
    private final JobRepository jobs;
    private final StatusOutbox status;
    private final BackupSettings settings;

    public ScheduledRuns(BackupConfigRepository configs, BackupRunRepository runs, JobRepository jobs, StatusOutbox status,
                         BackupSettings settings) {
        this.configs = configs;
        this.runs = runs;
        this.jobs = jobs;
        this.status = status;
        this.settings = settings;
    }

    /** Whether this replica took the run of {@code due.nextRun()}. */
    @Transactional
    public boolean take(BackupConfigRow due, Instant now) {
        Instant next = CronExpression.parse(due.schedule()).next(now.atZone(ZoneOffset.UTC)).toInstant();
        if (configs.takeSlot(due.instance(), due.nextRun(), next) != 1) {
            return false;
        }
        InstanceKey key = InstanceKey.of(due.instance());
        String id = BackupCommands.backupId(now);
        runs.save(new BackupRunRow(id, due.instance(), id, "scheduled", due.nextRun(), settings.repositoryUrl(due, key), "PENDING",
                null, null, null, null, null, null, null, false, now, null, null));
        try {
            jobs.save(JobRow.pending(due.instance(), id, JobKind.BACKUP, Json.mapper().writeValueAsString(Map.of("backupId", id)), now));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        status.command(new StatusOutbox.Answering(id, CommandType.BACKUP.id(), key), Phase.ACCEPTED, "BackupScheduled",
                "scheduled backup " + id + " (" + due.schedule() + ", slot " + due.nextRun() + "); next at " + next, null, null,
                Map.of("backupId", id, "scheduledFor", due.nextRun().toString(), "nextRun", next.toString()));
        return true;
    }

    /**
     * Whether this replica took the restore drill of {@code due.nextVerify()}: a drill with {@code verify}'s defaults (the
     * newest restorable time where the WAL is archived, else the newest backup), answered like a
     * {@code verify} command (its id is the drill's command id); an instance without a complete backup yet only moves on.
     */
    @Transactional
    public boolean takeDrill(BackupConfigRow due, Instant now) {
        Instant next = CronExpression.parse(due.verifyCron()).next(now.atZone(ZoneOffset.UTC)).toInstant();
        if (configs.takeDrillSlot(due.instance(), due.nextVerify(), next) != 1) {
            return false;
        }
        boolean backedUp = runs.findByInstanceOrderByCreatedAtDesc(due.instance()).stream()
                .anyMatch(run -> "SUCCEEDED".equals(run.status()) && !run.forgotten());
        if (!backedUp) {
            return true;
        }
        InstanceKey key = InstanceKey.of(due.instance());
        String id = "drill-" + BackupCommands.backupId(now);
        jobs.save(JobRow.pending(due.instance(), id, JobKind.VERIFY, "{}", now));
        status.command(new StatusOutbox.Answering(id, CommandType.VERIFY.id(), key), Phase.ACCEPTED, "DrillScheduled",
                "scheduled restore drill of the newest restorable time (WAL archived) or backup (" + due.verifyCron() + ", slot " + due.nextVerify() + "); next at " + next,
                null, null, Map.of("scheduledFor", due.nextVerify().toString(), "nextDrill", next.toString()));
        return true;
    }
}
