package io.pgfleet.backup.wal;

import java.time.Instant;
import java.util.Optional;

/**
 * The times a point-in-time restore can reach: from the end of the oldest base backup kept to the last moment whose WAL
 * is archived. Pure: made from {@link ArchiveInfo} and the time of the last archived segment.
 *
 * @param earliest the end of the oldest base backup
 * @param latest   when the newest archived WAL segment was archived (a restore can miss at most the archive delay after it)
 */
public record RecoveryWindow(Instant earliest, Instant latest) {

    /** The window, when there is a base backup and WAL archived after it. */
    public static Optional<RecoveryWindow> of(ArchiveInfo info, Instant lastArchived) {
        return info.earliest().filter(start -> lastArchived != null && !lastArchived.isBefore(start))
                .map(start -> new RecoveryWindow(start, lastArchived));
    }

    /** Why {@code target} cannot be restored to, naming the window; empty when it can. */
    public Optional<String> refuse(Instant target) {
        if (target.isBefore(earliest) || target.isAfter(latest)) {
            return Optional.of(target + " is outside the recovery window, " + earliest + " to " + latest
                    + (target.isAfter(latest) ? " (the newest archived WAL)" : " (the oldest base backup kept)"));
        }
        return Optional.empty();
    }
}
