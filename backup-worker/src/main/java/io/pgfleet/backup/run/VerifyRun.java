package io.pgfleet.backup.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.backup.catalog.BackupDrillRepository;
import io.pgfleet.backup.catalog.BackupDrillRow;
import io.pgfleet.backup.plan.DrillFindings;
import io.pgfleet.backup.plan.Manifest;
import io.pgfleet.backup.wal.PointInTimeDrill;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restore drill ({@code verify}): the backup asked for (or the newest) restored into a scratch server the driver makes
 * ({@link DrillServers}: never the instance itself, nothing a tenant reaches), with the restore's own checks (each file's
 * checksum before it is loaded), then checked — every database of the backup there, each table's rows as the manifest
 * recorded them, {@code pg_amcheck} on every table and B-tree index — and removed, whatever the outcome. Asked for no
 * backup and no time, a drill restores the newest restorable time where the instance's WAL is archived, else the newest
 * backup. On the local driver one step: a drill taken up again after its worker was killed removes the scratch server its
 * predecessor left and starts again. On Kubernetes the scratch Cluster is waited for over steps, and one its predecessor
 * was handed is made again. One drill's restore and checks at a time per backup-worker; and, as every job of an instance,
 * never beside the instance's own backup or restore.
 */
@Singleton
class VerifyRun {

    private static final Logger LOG = LoggerFactory.getLogger(VerifyRun.class);
    private static final String SCRATCH = "the scratch server";
    /** How often a drill looks again at a scratch server the platform is making. */
    private static final Duration MAKING = Duration.ofSeconds(5);

    private final InstanceAccess driver;
    private final BackupDrillRepository drills;
    private final RestoreRun restores;
    private final Amcheck amcheck;
    private final RunSupport support;
    private final BackupMetrics metrics;
    private final PointInTimeDrill pointInTime;
    private final Semaphore oneAtATime = new Semaphore(1);

    VerifyRun(InstanceAccess driver, BackupDrillRepository drills, RestoreRun restores, Amcheck amcheck, RunSupport support,
              BackupMetrics metrics, PointInTimeDrill pointInTime) {
        this.pointInTime = pointInTime;
        this.driver = driver;
        this.drills = drills;
        this.restores = restores;
        this.amcheck = amcheck;
        this.support = support;
        this.metrics = metrics;
    }

    /** The drill's scratch server is named after its job, so a retried step finds what its predecessor left. */
    static String drillId(JobRow job) {
        return "verify-" + job.id();
    }

    Step verify(JobRow job, JsonNode spec) {
        InstanceKey key = InstanceKey.of(job.instance());
        String wanted = spec.hasNonNull("backup") ? spec.get("backup").asText() : null;
        Optional<RestoreRun.Source> source = restores.source(key);
        if (source.isEmpty()) {
            return Step.failed("instance " + key + " has no backup configuration or credentials, so it has no backups to verify");
        }
        ResticRepository repository = source.get().repository();
        ResticCredentials credentials = source.get().credentials();
        Optional<DrillServers> servers = driver.drills();
        if (servers.isEmpty()) {
            return Step.failed("this driver makes no scratch servers for restore drills");
        }
        if (!oneAtATime.tryAcquire()) {
            return Step.waitFor("another restore drill runs on this backup-worker", Duration.ofSeconds(2));
        }
        String id = drillId(job);
        Instant started = support.now();
        boolean making = false;
        try {
            // Asked for nothing in particular: the newest restorable time where the WAL is archived (as of the drill's
            // asking, the same at every step), else the newest backup.
            Optional<Instant> at = spec.hasNonNull("pointInTime") ? Optional.of(Instant.parse(spec.get("pointInTime").asText()))
                    : wanted == null ? pointInTime.newestRestorable(key, job.createdAt()) : Optional.empty();
            if (at.isPresent()) {
                Step step = pointInTime(job, key, at.get(), servers.get(), started);
                making = step.outcome() == Step.Outcome.WAIT;
                return step;
            }
            RestoreRun.Choice choice = restores.choose(key, wanted, repository);
            if (choice.refusal() != null) {
                return Step.failed(choice.refusal());
            }
            Manifest manifest = choice.manifest();
            DrillServers.Made made = servers.get().start(key, id);
            if (!made.isReady()) {
                making = true;
                return Step.waitFor("the scratch server of the drill of backup " + manifest.backupId() + ": " + made.waiting(), MAKING);
            }
            support.progress(job, "restoring backup " + manifest.backupId() + " into a scratch server", "scratch");
            Endpoint scratch = made.scratch().superuser();
            long restoreStart = System.nanoTime();
            Step restored = restores.load(job, source.get(), manifest, manifest.databases(),
                    new RestoreRun.Target(scratch, SCRATCH, made.scratch().loginGroup()));
            long restoreMs = (System.nanoTime() - restoreStart) / 1_000_000;
            if (restored.outcome() != Step.Outcome.DONE) {
                return restored.outcome() == Step.Outcome.FAILED
                        ? record(job, Point.of(manifest), started, null, null, "restore drill of backup " + manifest.backupId() + " failed: "
                        + restored.message(), restoreMs)
                        : restored;
            }
            support.progress(job, "checking the restored copy of backup " + manifest.backupId(), "check");
            DrillFindings findings = DrillFindings.compare(manifest, counts(scratch), amcheck.findings(scratch));
            long bytes = ((Number) restored.details().getOrDefault("bytes", 0L)).longValue();
            return record(job, Point.of(manifest), started, findings, bytes, "backup " + manifest.backupId() + " of " + key + " restored in "
                    + seconds(restoreMs) + " s into a scratch server and checked: " + findings.summary(), restoreMs);
        } catch (ResticException e) {
            return e.locked() ? support.lockedStep(job, repository, e) : Step.failed(e.getMessage());
        } catch (SQLException e) {
            return Step.failed("the scratch server of the drill: " + credentials.mask(e.getMessage()));
        } catch (IllegalStateException e) {
            return Step.failed(credentials.mask(e.getMessage()));
        } finally {
            try {
                // A server still being made is the drill's next step's to take; any other is removed as the step ends.
                if (!making) {
                    servers.get().remove(key, id);
                }
            } finally {
                oneAtATime.release();
            }
        }
    }

    /**
     * A drill of a point in time: the archive restored to it in the scratch server ({@link PointInTimeDrill}; on a platform
     * that archives itself, over several steps), which must have reached it, then pg_amcheck.
     */
    private Step pointInTime(JobRow job, InstanceKey key, Instant at, DrillServers servers, Instant started) throws SQLException {
        Point point = new Point(null, at, at, null);
        if (!driver.archivesItself()) {
            // (a platform's drill reports how far its server is made at each step it waits)
            support.progress(job, "restoring " + key + " to " + at + " into a scratch server", "scratch");
        }
        long restoreStart = System.nanoTime();
        DrillServers.Made made;
        try {
            made = pointInTime.restore(key, at, servers, drillId(job));
        } catch (IllegalStateException e) {
            return record(job, point, started, null, null, "restore drill of " + key + " at " + at + " failed: " + e.getMessage(),
                    (System.nanoTime() - restoreStart) / 1_000_000);
        }
        if (!made.isReady()) {
            return Step.waitFor("the scratch server of the drill of " + key + " at " + at + ": " + made.waiting(), MAKING);
        }
        // Made by the platform over several steps: the restore took from when making it began.
        long restoreMs = made.since() == null ? (System.nanoTime() - restoreStart) / 1_000_000
                : Math.max(0, Duration.between(made.since(), support.now()).toMillis());
        DrillServers.Scratch scratch = made.scratch();
        support.progress(job, "checking the copy of " + key + " at " + at, "check");
        DrillFindings findings = DrillFindings.ofPointInTime(InstanceCatalog.read(scratch.superuser()).databases(), at, scratch.lastTransactionAt(),
                amcheck.findings(scratch.superuser()));
        return record(job, new Point(null, at, at, scratch.lastTransactionAt()), started, findings, null, key + " restored to " + at + " in "
                + seconds(restoreMs) + " s into a scratch server" + (scratch.lastTransactionAt() == null ? "" : " (last transaction committed at "
                + scratch.lastTransactionAt() + ")") + " and checked: " + findings.summary(), restoreMs);
    }

    /**
     * What a drill restores: a backup ({@code backupId}), or a point in time of the WAL archive ({@code pointInTime}).
     *
     * @param recoveryPoint     the time the data is of
     * @param lastTransactionAt a point in time's last replayed commit, once restored ({@code null}: none, or a backup)
     */
    private record Point(String backupId, Instant pointInTime, Instant recoveryPoint, Instant lastTransactionAt) {

        static Point of(Manifest manifest) {
            return new Point(manifest.backupId(), null, manifest.time(), null);
        }
    }

    /** Each database of the scratch server (but the templates) to its tables' rows. */
    private static Map<String, Map<String, Long>> counts(Endpoint scratch) throws SQLException {
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        for (String database : InstanceCatalog.read(scratch).databases()) {
            counts.put(database, TableRows.count(scratch, database));
        }
        return counts;
    }

    /** The drill's row in the catalog, the metrics refreshed, and the answer: done when it passed. */
    private Step record(JobRow job, Point point, Instant started, DrillFindings findings, Long bytes, String message, long restoreMs) {
        boolean passed = findings != null && findings.passed();
        drills.save(new BackupDrillRow(drillId(job), job.instance(), job.commandId(), point.backupId(), point.pointInTime(),
                passed ? "SUCCEEDED" : "FAILED",
                started, support.now(), restoreMs, bytes, findings == null ? null : findings.databases().size(),
                findings == null ? null : findings.tables(), findings == null ? null : Json.write(findings.all()), message));
        try {
            metrics.refresh();
        } catch (RuntimeException e) {
            LOG.warn("the backup metrics were not refreshed after drill {}: {}", drillId(job), e.getMessage());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        if (point.backupId() != null) {
            details.put("backupId", point.backupId());
        } else {
            details.put("pointInTime", point.pointInTime().toString());
        }
        details.put("recoveryPoint", point.recoveryPoint().toString());
        if (point.lastTransactionAt() != null) {
            details.put("lastTransactionAt", point.lastTransactionAt().toString());
        }
        details.put("restoreSeconds", seconds(restoreMs));
        if (bytes != null) {
            details.put("bytes", bytes);
        }
        if (findings != null) {
            details.put("databases", findings.databases());
            details.put("tablesChecked", findings.tables());
            details.put("differences", findings.differences());
            details.put("amcheckFindings", findings.amcheck());
        }
        return passed ? Step.done(message, details) : Step.failed(message, details);
    }

    private static double seconds(long ms) {
        return Math.round(ms / 10.0) / 100.0;
    }
}
