package io.pgfleet.clusters;

import io.pgfleet.events.InstanceKey;
import java.util.Optional;
import io.pgfleet.runtime.job.Step;
import java.time.Instant;

/** The read side of a driver: where an instance's primary is, and its superuser credential. */
public interface InstanceAccess {

    /** The primary's endpoint, or empty while the instance does not exist (yet). */
    Optional<Endpoint> primary(InstanceKey instance);

    /** Where the instance's WAL archive and members are on this machine (the local driver), empty when they are elsewhere. */
    default Optional<ArchiveLayout> archiveLayout(InstanceKey instance) {
        return Optional.empty();
    }

    /**
     * Declares the instance's WAL archive to a platform that archives by itself (CloudNativePG: the Barman Cloud plugin's
     * {@code ObjectStore} and a {@code ScheduledBackup}); says what it applied, empty when this driver's instances are
     * archived by the backup-worker itself (local: pgBackRest).
     */
    default Optional<String> declareArchive(InstanceKey instance, ArchiveTarget target) {
        return Optional.empty();
    }

    /** Where restore drills' scratch servers are made, when this driver makes them. */
    default Optional<DrillServers> drills() {
        return Optional.empty();
    }

    /** Whether the platform archives the instances' WAL itself (CloudNativePG), not the backup-worker with pgBackRest. */
    default boolean archivesItself() {
        return false;
    }

    /** The earliest time the platform's own archive of the instance can restore to, when it archives itself and knows it. */
    default Optional<Instant> recoverableFrom(InstanceKey instance) {
        return Optional.empty();
    }

    /**
     * Moves a point-in-time restore of the instance one step ({@link Recovery}); done says the time and LSN recovered to.
     * While one is unfinished the driver leaves the instance's members alone.
     */
    default Step recover(InstanceKey instance, Recovery recovery) {
        return Step.failed("this driver does not restore an instance to a point in time");
    }
}
