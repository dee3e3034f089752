package io.pgfleet.backup.run;

import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.backup.plan.BackupPlan;
import io.pgfleet.backup.plan.BackupSteps;
import io.pgfleet.backup.plan.BackupProgress;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.job.JobHandler;
import io.pgfleet.runtime.job.JobKind;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.wal.BaseBackups;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes backups and restores them, one job at a time per instance.
 *
 * <p>A backup saves the roles ({@code globals.sql}) and every database ({@code <db>.dump}, pg_dump's
 * custom format), in bounded steps ({@link BackupSteps}) whose progress its catalog row keeps:
 * plan (the databases and roles read, each database's way chosen), save, manifest, finish. Small databases
 * ({@link BackupPlan}) and the roles are dumped to a work directory and saved in one snapshot; each large database
 * streams from pg_dump into restic through a pipe, in a snapshot of its own; each snapshot is recorded as soon as it is
 * saved, so a save taken up again after a crash saves only what is missing (after stopping what the killed attempt left
 * running and forgetting what it saved without recording). A manifest snapshot naming them all comes last. Every
 * snapshot is tagged with the instance and the backup id and has the instance as its host. A step that fails fails the
 * backup and every snapshot of it is forgotten, so only complete sets (with a manifest) count. After a good
 * backup the retention policy runs over whole backups ({@link ResticRepository#applyRetention}). A
 * repository locked by a restic process that is gone is unlocked; one locked by a live process is waited for.
 *
 * <p>A restore reads a manifest (the latest, or the one of the backup asked for), creates the roles
 * the instance lacks, then recreates each database from its dump (or one database). A restore drill ({@link VerifyRun})
 * does the same into a scratch server and checks what came back.
 * Config: {@code pgfleet.backup.ready-timeout} (default 10m): how long a restore waits for its
 * instance to exist; {@code pgfleet.backup.lock-timeout} (default 35m): how long a locked repository is waited for.
 */
@Singleton
public class BackupJob implements JobHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BackupJob.class);

    private final BackupSettings settings;
    private final BackupConfigRepository configs;
    private final BackupCatalog catalog;
    private final BackupRun backups;
    private final Restores restores;
    private final BaseBackups baseBackups;

    public BackupJob(BackupSettings settings, BackupConfigRepository configs, BackupCatalog catalog, BackupRun backups, Restores restores,
                     BaseBackups baseBackups) {
        this.baseBackups = baseBackups;
        this.settings = settings;
        this.configs = configs;
        this.catalog = catalog;
        this.backups = backups;
        this.restores = restores;
    }

    @Override
    public Step step(JobRow job) {
        try {
            JsonNode spec = Json.mapper().readTree(job.spec());
            return switch (job.kind()) {
                case PROVISION -> provisioned(job, spec.get("message").asText());
                case BACKUP -> backup(job, spec.get("backupId").asText());
                case VERIFY -> restores.verify(job, spec);
                default -> restores.restore(job, spec);
            };
        } catch (IOException e) {
            return Step.failed("the job's description cannot be read: " + e.getMessage());
        }
    }

    @Override
    public String reason(JobKind kind, Step.Outcome outcome) {
        boolean done = outcome == Step.Outcome.DONE;
        return switch (kind) {
            case PROVISION -> done ? "BackupConfigured" : "BackupConfigurationFailed";
            case BACKUP -> done ? "BackupSucceeded" : "BackupFailed";
            case VERIFY -> done ? "BackupVerified" : "VerificationFailed";
            default -> done ? "RestoreSucceeded" : "RestoreFailed";
        };
    }

    /** A backup's end is also written to the catalog. */
    @Override
    public void recorded(JobRow job, Step step) {
        if (job.kind() != JobKind.BACKUP || step.outcome() == Step.Outcome.WAIT) {
            return;
        }
        try {
            catalog.finished(Json.mapper().readTree(job.spec()).get("backupId").asText(), step);
        } catch (IOException e) {
            LOG.warn("backup job {} has no readable backup id; its catalog row is not updated", job.id());
        }
    }

    /** A provision's backup part: recorded at intake; it fails when backups are enabled but nothing can open the repository. */
    private Step provisioned(JobRow job, String message) {
        InstanceKey key = InstanceKey.of(job.instance());
        boolean enabled = configs.findById(job.instance()).map(BackupConfigRow::enabled).orElse(false);
        if (enabled && settings.credentials(key).isEmpty()) {
            return Step.failed("backups are enabled for " + key + " but there are no backup credentials: none are stored for it, none "
                    + "are in the document and no default is configured (give s3AccessKey, s3SecretKey and resticPassword, or configure "
                    + "pgfleet.backup.default-credentials); no backup will run until there are");
        }
        if (!enabled) {
            return Step.done(message, Map.of());
        }
        Step physical = baseBackups.step(job, configs.findById(job.instance()).orElseThrow(), settings.credentials(key).orElseThrow(), false);
        return physical.outcome() == Step.Outcome.DONE ? Step.done(message + "; " + physical.message(), physical.details()) : physical;
    }

    /**
     * A base backup for the WAL archive (when this service archives the instance's WAL), then the logical set's steps: the
     * base backup comes with the first (what it said is kept with the plan and told in the answer); once the logical set
     * began, its steps follow alone.
     */
    private Step backup(JobRow job, String backupId) {
        InstanceKey key = InstanceKey.of(job.instance());
        Optional<BackupConfigRow> config = configs.findById(job.instance());
        Optional<ResticCredentials> credentials = settings.credentials(key);
        if (config.isEmpty() || credentials.isEmpty()) {
            return backups.backup(job, backupId);   // which says what is missing
        }
        if (backups.begun(backupId)) {
            return backups.backup(job, backupId);
        }
        Step physical = baseBackups.step(job, config.get(), credentials.get(), true);
        if (physical.outcome() != Step.Outcome.DONE) {
            return physical;
        }
        return backups.backup(job, backupId, new BackupProgress.BaseBackup(physical.message(), physical.details()));
    }
}
