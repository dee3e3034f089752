package io.pgfleet.backup.wal;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.clusters.Recovery;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.sql.SQLException;

/**
 * A whole instance returned to a point in time from a WAL archive (its own: in place; another instance's: {@code from}).
 * The driver stops the members, this service's pgBackRest restores the primary's data (a delta restore) to replay WAL up
 * to the time, the driver promotes it and has the standbys copied again ({@link Recovery}). Before the members stop, the
 * primary's WAL up to now is archived ({@code pgbackrest check} switches the segment and waits for it).
 */
@Singleton
public class PointInTimeRestore {

    private static final Logger LOG = LoggerFactory.getLogger(PointInTimeRestore.class);

    private final InstanceAccess driver;
    private final BackupConfigRepository configs;
    private final BackupSettings settings;
    private final WalArchive archives;

    public PointInTimeRestore(InstanceAccess driver, BackupConfigRepository configs, BackupSettings settings, WalArchive archives) {
        this.driver = driver;
        this.configs = configs;
        this.settings = settings;
        this.archives = archives;
    }

    public Step restore(JobRow job, JsonNode spec) {
        InstanceKey target = InstanceKey.of(job.instance());
        InstanceKey source = InstanceKey.parse(spec.path("from").asText(job.instance()), target.namespace());
        Instant at = OffsetDateTime.parse(spec.get("pointInTime").asText()).toInstant();
        Optional<BackupConfigRow> config = configs.findById(source.toString());
        Optional<ResticCredentials> credentials = settings.credentials(source);
        if (config.isEmpty() || credentials.isEmpty()) {
            return Step.failed("instance " + source + " has no backup configuration or credentials, so it has no WAL archive");
        }
        if (driver.archivesItself()) {
            return platformRestore(job, target, source, at);
        }
        Optional<String> unavailable = archives.unavailable(source, config.get());
        if (unavailable.isPresent()) {
            return Step.failed("point-in-time recovery of " + source + " is not available: " + unavailable.get());
        }
        Optional<Endpoint> sourcePrimary = driver.primary(source);
        Optional<WalArchive.Opened> opened = archives.openInto(source, config.get(), credentials.get(), target);
        if (opened.isEmpty()) {
            return Step.failed("instance " + target + " has no member to restore into");
        }
        PgBackRest repository = opened.get().repository();
        // Before anything stops, at the job's first step (a later one would refuse nothing the first did not): a time the
        // archive cannot reach is refused while the instance still runs.
        if (job.step().isEmpty()) {
            try {
                Optional<Instant> earliest = repository.info().earliest().map(stop -> stop.plusSeconds(1));
                if (earliest.isEmpty() || at.isBefore(earliest.get())) {
                    return Step.failed(at + " cannot be restored to: " + (earliest.isEmpty() ? "the WAL archive of " + source + " holds no base backup"
                            : "the oldest base backup of " + source + " ends at " + earliest.get()) + "; nothing was changed");
                }
            } catch (IllegalStateException e) {
                return Step.failed(opened.get().mask(e.getMessage()));
            }
        }
        // The source's own repository configuration (it names the source's members) flushes its primary's WAL.
        Runnable flush = () -> sourcePrimary.ifPresent(primary -> (source.equals(target) ? opened
                : archives.open(source, config.get(), credentials.get())).ifPresent(o -> {
            try {
                // A commit after the time: replay stops at the first one past it (an idle instance has none otherwise, and
                // replay would run out of WAL before reaching the time).
                WalArchive.commitNow(primary);
                o.repository().check(primary.password());
            } catch (IllegalStateException | SQLException e) {
                LOG.warn("the WAL of {} up to now could not be archived before its restore: {}", source, o.mask(e.getMessage()));
            }
        }));
        Recovery recovery = new Recovery(commandId(job), at,
                (dataDir, time) -> repository.restoreToTime(time, dataDir, "pause"),
                source.equals(target) ? null : sourcePrimary.map(Endpoint::password).orElse(null), flush);
        Step step;
        try {
            step = driver.recover(target, recovery);
        } catch (IllegalStateException e) {
            return Step.failed(opened.get().mask(e.getMessage()));
        }
        if (step.outcome() != Step.Outcome.DONE) {
            return step;
        }
        Map<String, Object> details = new LinkedHashMap<>(step.details());
        details.put("from", source.toString());
        details.put("walRepository", opened.get().location());
        String message = step.message() + (source.equals(target) ? "" : "; from the WAL archive of " + source + takeOver(target));
        return Step.done(message, details);
    }

    /**
     * A restore the platform carries out from its own archive (CloudNativePG: a Cluster bootstrapped by recovery from the
     * Barman Cloud store): refused before anything changes when the store's window does not reach the time; the source's
     * WAL up to now is archived before its Cluster goes.
     */
    private Step platformRestore(JobRow job, InstanceKey target, InstanceKey source, Instant at) {
        Optional<Instant> earliest = archives.recoverableFrom(source);
        if (earliest.isEmpty() || at.isBefore(earliest.get())) {
            return Step.failed(at + " cannot be restored to: " + (earliest.isEmpty() ? "the store of " + source + " reports no recoverability point yet"
                    : "the store of " + source + " is recoverable from " + earliest.get()) + "; nothing was changed");
        }
        Runnable flush = archives.platformFlush(source, driver.primary(source));
        Step step = driver.recover(target, new Recovery(commandId(job), at, null, null, flush, source));
        if (step.outcome() != Step.Outcome.DONE) {
            return step;
        }
        Map<String, Object> details = new LinkedHashMap<>(step.details());
        details.put("from", source.toString());
        return Step.done(step.message(), details);
    }

    /**
     * {@code stanza-upgrade} takes the stanza's archive lock, which the restored primary's own {@code archive-push} holds
     * while it pushes its first segments: tried again each half second while it does, for up to a minute.
     */
    private static void upgradeWhenUnlocked(PgBackRest repository, String password) {
        long deadline = System.nanoTime() + LOCKED_FOR.toNanos();
        while (true) {
            try {
                repository.stanzaUpgrade(password);
                return;
            } catch (IllegalStateException e) {
                if (!e.getMessage().contains("unable to acquire lock") || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            }
        }
    }

    private static final Duration LOCKED_FOR = Duration.ofMinutes(1);

    private static String commandId(JobRow job) {
        return job.commandId() == null ? "job-" + job.id() : job.commandId();
    }

    /**
     * After a restore from another instance the data has that instance's system identifier: the target's own archive (when
     * it has one) is taken over for it ({@code stanza-upgrade} records the new database, the older backups stay) and a
     * base backup starts its window again.
     */
    private String takeOver(InstanceKey target) {
        Optional<BackupConfigRow> config = configs.findById(target.toString()).filter(BackupConfigRow::enabled);
        Optional<ResticCredentials> credentials = settings.credentials(target);
        Optional<Endpoint> primary = driver.primary(target);
        if (config.isEmpty() || credentials.isEmpty() || primary.isEmpty() || archives.find(target).isEmpty()) {
            return "";
        }
        Optional<WalArchive.Opened> own = archives.open(target, config.get(), credentials.get());
        if (own.isEmpty()) {
            return "";
        }
        try {
            upgradeWhenUnlocked(own.get().repository(), primary.get().password());
            own.get().repository().backup("full", primary.get().password());
            archives.refresh(target, own.get());
            return "; " + target + "'s own WAL archive now follows the restored data (a new base backup taken)";
        } catch (IllegalStateException e) {
            LOG.warn("the WAL archive of {} could not be taken over after the restore: {}", target, own.get().mask(e.getMessage()));
            return "; " + target + "'s own WAL archive could not be taken over: " + own.get().mask(e.getMessage());
        }
    }
}
