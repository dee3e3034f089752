package io.pgfleet.backup.run;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.backup.plan.Manifest;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.JobSteps;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Records a step's outcome: the job, the catalog row and the status event together. */
@Singleton
public class BackupResults {

    private static final TypeReference<Map<String, String>> SNAPSHOTS = new TypeReference<>() {
    };

    private final JobRepository jobs;
    private final BackupRunRepository runs;
    private final StatusOutbox status;
    private final JobSteps steps;
    private final Clock clock;

    public BackupResults(JobRepository jobs, BackupRunRepository runs, StatusOutbox status, JobSteps steps, Clock clock) {
        this.jobs = jobs;
        this.runs = runs;
        this.status = status;
        this.steps = steps;
        this.clock = clock;
    }

    /** A restore's (or a provision's) step. */
    @Transactional
    public void record(JobRow job, Step step) {
        steps.record(job, step, reason(job, true), reason(job, false));
    }

    /** A backup's step, also written to the catalog. */
    @Transactional
    public void backupOutcome(JobRow job, String backupId, Step step, String manifest) {
        Map<String, Object> details = step.details();
        switch (step.outcome()) {
            case WAIT -> {
            }
            case DONE -> runs.finished(backupId, "SUCCEEDED", Instant.now(clock), json(details.get("databases")), json(details.get("snapshots")),
                    ((Number) details.get("bytes")).longValue(), ((Number) details.get("durationMs")).longValue(), step.message(),
                    manifest);
            case FAILED -> runs.finished(backupId, "FAILED", Instant.now(clock), null, null, null, null, step.message(), null);
        }
        record(job, step);
    }

    /** Marks the instance's good backups whose manifest the repository no longer has. */
    @Transactional
    public void markForgotten(String instance, Set<String> keptSnapshots) {
        List<String> gone = runs.findByInstanceOrderByCreatedAtDesc(instance).stream()
                .filter(run -> "SUCCEEDED".equals(run.status()) && !run.forgotten() && run.snapshots() != null)
                .filter(run -> !keptSnapshots.contains(snapshots(run).get(Manifest.FILE)))
                .map(BackupRunRow::id).toList();
        if (!gone.isEmpty()) {
            runs.forgotten(gone);
        }
    }

    /** The snapshot ids of a run's files. */
    public static Map<String, String> snapshots(BackupRunRow run) {
        try {
            return run.snapshots() == null ? Map.of() : Json.mapper().readValue(run.snapshots(), SNAPSHOTS);
        } catch (IOException e) {
            throw new IllegalStateException("catalog row " + run.id() + " has unreadable snapshots", e);
        }
    }

    private static String reason(JobRow job, boolean ok) {
        if (job.kind() == io.pgfleet.runtime.job.JobKind.PROVISION) {
            return ok ? "BackupConfigured" : "BackupConfigurationFailed";
        }
        boolean backup = job.kind() == io.pgfleet.runtime.job.JobKind.BACKUP;
        return backup ? (ok ? "BackupSucceeded" : "BackupFailed") : (ok ? "RestoreSucceeded" : "RestoreFailed");
    }

    private static String json(Object value) {
        return value == null ? null : Json.write(value);
    }
}
