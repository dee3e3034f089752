package io.pgfleet.backup.run;

import io.pgfleet.backup.catalog.BackupRunRepository;
import io.pgfleet.backup.catalog.BackupRunRow;
import io.pgfleet.backup.plan.Manifest;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The backup catalog ({@code backup_run}): how each backup ended, and which of them retention forgot. */
@Singleton
public class BackupCatalog {

    private final BackupRunRepository runs;
    private final Clock clock;

    public BackupCatalog(BackupRunRepository runs, Clock clock) {
        this.runs = runs;
        this.clock = clock;
    }

    /**
     * How a backup's step ended, in the transaction that records its job: a success with its databases, snapshots,
     * size and duration (its manifest was kept before, {@link BackupRunRepository#keepManifest}), a failure with its reason.
     */
    public void finished(String backupId, Step step) {
        switch (step.outcome()) {
            case WAIT -> {
            }
            case DONE -> {
                SavedBackup saved = step.fact(SavedBackup.class).orElseThrow(() -> new IllegalStateException(
                        "backup " + backupId + " is done without what it saved"));
                runs.succeeded(backupId, Instant.now(clock), Json.write(saved.databases()), Json.write(saved.snapshots()), saved.bytes(),
                        saved.durationMs(), step.message());
            }
            case FAILED -> runs.failed(backupId, Instant.now(clock), step.message());
        }
    }

    /** Marks the instance's good backups whose manifest the repository no longer has. */
    @Transactional
    public void markForgotten(String instance, Set<String> keptSnapshots) {
        List<String> gone = runs.findByInstanceOrderByCreatedAtDesc(instance).stream()
                .filter(run -> "SUCCEEDED".equals(run.status()) && !run.forgotten() && run.snapshots() != null)
                .filter(run -> !keptSnapshots.contains(run.snapshotIds().get(Manifest.FILE)))
                .map(BackupRunRow::id).toList();
        if (!gone.isEmpty()) {
            runs.forgotten(gone);
        }
    }


}
