package io.pgfleet.backup.wal;

import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.events.InstanceKey;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The restore of a restore drill of a point in time: the instance's WAL archive restored by pgBackRest into the drill's
 * scratch server (a configuration of its own, which only the drill's account reads), replayed to the time and promoted
 * there (CloudNativePG: the Barman Cloud store recovered into a Cluster of the drill's own); the instance itself is never
 * stopped. Its WAL up to now is archived first, so a time a moment ago is reachable.
 */
@Singleton
public class PointInTimeDrill {

    private final InstanceAccess driver;
    private final BackupConfigRepository configs;
    private final BackupSettings settings;
    private final WalArchive archives;

    public PointInTimeDrill(InstanceAccess driver, BackupConfigRepository configs, BackupSettings settings, WalArchive archives) {
        this.driver = driver;
        this.configs = configs;
        this.settings = settings;
        this.archives = archives;
    }

    /**
     * What a drill asked for at {@code asked} restores by default where the instance's WAL is archived: {@code asked}
     * itself, the newest time it can restore to (its WAL up to then is archived as the drill begins); empty where the WAL
     * is not archived or its archive holds no base backup from before then.
     */
    public Optional<Instant> newestRestorable(InstanceKey instance, Instant asked) {
        Optional<BackupConfigRow> config = configs.findById(instance.toString());
        if (config.isEmpty() || !driver.archivesItself() && archives.unavailable(instance, config.get()).isPresent()) {
            return Optional.empty();
        }
        return archives.recoverableFrom(instance).filter(from -> from.isBefore(asked)).map(from -> asked);
    }

    /**
     * Drill {@code id}'s scratch server, restored to {@code at} from the archive of {@code instance}: by the platform where
     * it archives the WAL itself (CloudNativePG: a Cluster recovered from the Barman Cloud store, over several steps), else
     * by pgBackRest, within this call.
     *
     * @throws IllegalStateException why it could not be (no archive, a time it does not reach, recovery ended early), no
     *                               credential in the message
     */
    public DrillServers.Made restore(InstanceKey instance, Instant at, DrillServers servers, String id) {
        Optional<BackupConfigRow> config = configs.findById(instance.toString());
        Optional<ResticCredentials> credentials = settings.credentials(instance);
        if (config.isEmpty() || credentials.isEmpty()) {
            throw new IllegalStateException("instance " + instance + " has no backup configuration or credentials, so it has no WAL archive");
        }
        if (driver.archivesItself()) {
            Optional<Instant> earliest = archives.recoverableFrom(instance);
            if (earliest.isEmpty() || at.isBefore(earliest.get())) {
                throw new IllegalStateException(at + " cannot be restored to: " + (earliest.isEmpty() ? "the store of " + instance
                        + " reports no recoverability point yet" : "the store of " + instance + " is recoverable from " + earliest.get()));
            }
            return servers.recover(instance, id, at, archives.platformFlush(instance, driver.primary(instance)));
        }
        return DrillServers.Made.ready(fromArchive(instance, at, servers, id, config.get(), credentials.get()));
    }

    private DrillServers.Scratch fromArchive(InstanceKey instance, Instant at, DrillServers servers, String id, BackupConfigRow config,
                                             ResticCredentials credentials) {
        Optional<String> unavailable = archives.unavailable(instance, config);
        if (unavailable.isPresent()) {
            throw new IllegalStateException("point-in-time recovery of " + instance + " is not available: " + unavailable.get());
        }
        // The restored data is the instance's: its superuser's password opens the scratch server.
        Optional<Endpoint> primary = driver.primary(instance);
        if (primary.isEmpty()) {
            throw new IllegalStateException("instance " + instance + " does not run: a drill of a point in time needs its superuser");
        }
        WalArchive.Opened own = archives.open(instance, config, credentials)
                .orElseThrow(() -> new IllegalStateException("instance " + instance + " has no member whose WAL is archived"));
        try {
            Optional<Instant> earliest = own.repository().info().earliest().map(stop -> stop.plusSeconds(1));
            if (earliest.isEmpty() || at.isBefore(earliest.get())) {
                throw new IllegalStateException(at + " cannot be restored to: " + (earliest.isEmpty() ? "the WAL archive of " + instance
                        + " holds no base backup" : "the oldest base backup of " + instance + " ends at " + earliest.get()));
            }
            // A commit after the time (replay stops at the first one past it), then the WAL up to now archived.
            WalArchive.commitNow(primary.get());
            own.repository().check(primary.get().password());
            return servers.startFrom(id, primary.get().password(), drill -> archives.openForDrill(instance, config, credentials, drill)
                    .repository().restoreToTime(at, null, "promote"));
        } catch (SQLException e) {
            throw new IllegalStateException("instance " + instance + ": " + own.mask(e.getMessage()), e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(own.mask(e.getMessage()), e);
        }
    }
}
