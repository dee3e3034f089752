package io.pgfleet.clusters;

import java.nio.file.Path;
import java.time.Instant;
import io.pgfleet.events.InstanceKey;

/**
 * A point-in-time restore of a whole instance, as the backup-worker asks the driver for it: the driver stops the
 * members, has {@link Restorer} put the data of the time back into the primary's data directory, starts it, lets it
 * replay WAL up to {@code target}, promotes it and has the standbys copied again from it.
 *
 * @param commandId             the restore command (a new command takes over an unfinished restore)
 * @param target                the time to return to
 * @param restorer              what restores the data (pgBackRest, a delta restore) into a stopped member
 * @param sourceSuperuserPassword the superuser password of the instance the data comes from when it is another one
 *                              (the restored data carries that instance's roles), null for a restore in place
 * @param flush                 run once before the members stop: has the primary's WAL up to now archived (else a restore
 *                              in place would lose what the archive has not received yet)
 * @param source                the instance whose archive the data comes from (itself for a restore in place)
 */
public record Recovery(String commandId, Instant target, Restorer restorer, String sourceSuperuserPassword, Runnable flush,
                       InstanceKey source) {

    /** A restore in place, or one whose source the driver need not know (it is in {@code restorer}). */
    public Recovery(String commandId, Instant target, Restorer restorer, String sourceSuperuserPassword, Runnable flush) {
        this(commandId, target, restorer, sourceSuperuserPassword, flush, null);
    }

    /** Restores the data of a time into a stopped member's data directory, leaving it to replay WAL up to the time and pause. */
    @FunctionalInterface
    public interface Restorer {
        void restore(Path dataDir, Instant target);
    }
}
