package io.pgfleet.backup.wal;

import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.clusters.InstanceWait;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.storage.BackupSettings;

/**
 * The physical side of an instance's backups: its pgBackRest stanza (made when backups are enabled, with a first full
 * base backup so the recovery window starts at once) and a full base backup beside each logical backup, taken from a
 * standby when one runs. Retention ({@link WalRetention}: the window {@code cleanupStrategy} keeps) runs after each
 * base backup. A step that finds a base backup started since its job began does not take another (its
 * predecessor was killed after taking it).
 */
@Singleton
public class BaseBackups {

    private static final Logger LOG = LoggerFactory.getLogger(BaseBackups.class);

    private final InstanceAccess driver;
    private final WalArchive archives;
    private final Clock clock;
    private final InstanceWait wait;

    private final BackupSettings settings;

    public BaseBackups(InstanceAccess driver, WalArchive archives, Clock clock, BackupSettings settings) {
        this.settings = settings;
        this.driver = driver;
        this.archives = archives;
        this.clock = clock;
        this.wait = new InstanceWait(settings.run().readyTimeout());
    }

    /**
     * Makes the stanza and, when the repository holds no base backup yet ({@code always}: when none was taken since the
     * job began), takes one. Done says what the repository holds; a service that does not archive this instance's WAL is
     * done at once and says why.
     */
    public Step step(JobRow job, BackupConfigRow config, ResticCredentials credentials, boolean always) {
        InstanceKey key = InstanceKey.of(job.instance());
        Optional<String> declared;
        try {
            declared = archives.declare(key, config);
        } catch (RuntimeException e) {
            return Step.failed("the WAL archive of " + key + " could not be declared: " + e.getMessage());
        }
        if (declared.isPresent()) {
            return Step.done(declared.get(), Map.of("pointInTimeRecovery", "barman-cloud"));
        }
        Optional<String> unavailable = archives.unavailable(key, config);
        if (unavailable.isPresent()) {
            return Step.done("point-in-time recovery is off: " + unavailable.get(), Map.of("pointInTimeRecovery", "off: " + unavailable.get()));
        }
        Instant now = Instant.now(clock);
        Optional<Endpoint> primary = driver.primary(key);
        Optional<Step> absent = wait.untilItExists(key, primary, job.createdAt(), now);
        if (absent.isPresent()) {
            return absent.get();
        }
        Optional<WalArchive.Opened> opened = archives.open(key, config, credentials);
        if (opened.isEmpty()) {
            return Step.poll("instance " + key + " has no member yet", InstanceWait.LONGEST);
        }
        try {
            if (!opened.get().layout().primary().running() || !WalArchive.archiving(primary.get(), opened.get().layout())) {
                return wait.late(job.createdAt(), now)
                        ? Step.failed("the primary of " + key + " does not archive its WAL after " + InstanceWait.text(wait.timeout()))
                        : Step.poll("waiting for the primary of " + key + " to archive its WAL", InstanceWait.LONGEST);
            }
        } catch (SQLException e) {
            return Step.poll("the primary of " + key + " does not answer yet: " + e.getMessage(), InstanceWait.LONGEST);
        }
        PgBackRest repository = opened.get().repository();
        if (!always) {
            try {
                // pgBackRest makes no bucket: restic's repository (which makes it) is initialised first, at provision.
                settings.repository(config, key, credentials).ensureInitialized();
            } catch (ResticException e) {
                return e.locked() ? Step.waitFor("the restic repository of " + key + " is locked", Duration.ofSeconds(2))
                        : Step.failed(credentials.mask(e.getMessage()));
            }
        }
        try {
            int stopped = repository.stopLeftovers();
            if (stopped > 0) {
                LOG.warn("stopped {} pgbackrest process(es) a killed predecessor left running on the WAL archive of {}", stopped, key);
            }
            ArchiveInfo before = repository.info();
            if (before.status().startsWith("missing stanza")) {
                repository.stanzaCreate(primary.get().password());
                before = repository.info();
            }
            if (repository.publish()) {
                // The members push from now on; the archiver may be sleeping after its failed pushes.
                WalArchive.wakeArchiver(primary.get());
            }
            ArchiveInfo known = before;
            boolean taken = known.backups().stream().anyMatch(b -> !b.start().isBefore(job.createdAt().minusSeconds(1)));
            boolean needed = always ? !taken : known.backups().isEmpty();
            String from = opened.get().layout().runningStandbys().isEmpty() ? opened.get().layout().primary().name()
                    : opened.get().layout().runningStandbys().get(0).name();
            if (needed) {
                // A segment whose push failed before the stanza existed waits in the archiver for up to 60 s (three
                // failures in a row), and the base backup would wait on it: woken, the archiver pushes it now; the
                // next step looks again.
                Optional<String> failing = WalArchive.failingSegment(primary.get());
                if (failing.isPresent()) {
                    WalArchive.wakeArchiver(primary.get());
                    if (!wait.late(job.createdAt(), Instant.now(clock))) {
                        return Step.waitFor("the primary of " + key + " archives " + failing.get() + " again (its push failed)", Duration.ofSeconds(1));
                    }
                }
                repository.backup("full", primary.get().password());
            }
            List<ArchiveInfo.BaseBackup> expired = WalArchive.retention(config).expired(repository.info().backups(), Instant.now(clock));
            repository.expire(expired);
            ArchiveInfo info = archives.refresh(key, opened.get());
            Map<String, Object> details = new LinkedHashMap<>();
            info.latest().ifPresent(latest -> {
                Map<String, Object> base = new LinkedHashMap<>();
                base.put("label", latest.label());
                base.put("stop", latest.stop().toString());
                base.put("bytes", latest.size());
                base.put("repositoryBytes", latest.repositorySize());
                base.put("walStart", latest.walStart());
                base.put("walStop", latest.walStop());
                details.put("baseBackup", base);
            });
            details.put("walRepository", opened.get().location());
            if (!expired.isEmpty()) {
                details.put("expired", expired.stream().map(ArchiveInfo.BaseBackup::label).toList());
            }
            info.earliest().ifPresent(start -> details.put("recoverableFrom", start.plusSeconds(1).toString()));
            String message = (needed ? "base backup " + info.latest().map(ArchiveInfo.BaseBackup::label).orElse("?") + " taken from " + from
                    : "the WAL archive holds " + info.backups().size() + " base backup(s)") + "; WAL archived to " + opened.get().location()
                    + (expired.isEmpty() ? "" : "; " + expired.size() + " older base backup(s) expired")
                    + info.earliest().map(start -> "; point-in-time recovery from " + start.plusSeconds(1)).orElse("");
            return Step.done(message, details);
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("unable to acquire lock")) {
                // An archive-push or another command of this stanza runs: the next attempt comes after it.
                return Step.waitFor(opened.get().mask(e.getMessage()), Duration.ofSeconds(2));
            }
            return Step.failed(opened.get().mask(e.getMessage()));
        } catch (SQLException e) {
            return Step.poll("the primary of " + key + " does not answer: " + e.getMessage(), InstanceWait.LONGEST);
        }
    }
}
