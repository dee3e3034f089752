package io.pgfleet.clusters;

import java.time.Duration;
import java.time.Instant;

/**
 * How the primary's WAL archiving stands, from PostgreSQL's own {@code pg_stat_archiver} and its archive status
 * directory.
 *
 * @param lastArchivedWal    the last segment archived, or null
 * @param lastArchivedAt     when
 * @param lastFailedWal      the last segment whose archiving failed, or null
 * @param lastFailedAt       when
 * @param waiting            segments waiting to be archived
 * @param oldestWaitingSince since when the oldest of them waits, or null
 */
public record ArchiveState(String lastArchivedWal, Instant lastArchivedAt, String lastFailedWal, Instant lastFailedAt, int waiting,
                           Instant oldestWaitingSince) {

    /**
     * What is wrong, for people, when a segment has waited longer than {@code limit} (the archive falls behind: a
     * restore could miss more than the archive delay promises), else null.
     */
    public String problem(Instant now, Duration limit) {
        if (oldestWaitingSince == null || !oldestWaitingSince.plus(limit).isBefore(now)) {
            return null;
        }
        boolean failing = lastFailedAt != null && (lastArchivedAt == null || lastFailedAt.isAfter(lastArchivedAt));
        return "WAL archiving is behind: " + waiting + " segment" + (waiting == 1 ? "" : "s") + " waiting, the oldest for "
                + Duration.between(oldestWaitingSince, now).toSeconds() + "s (limit " + limit.toSeconds() + "s)"
                + (failing ? "; archiving " + lastFailedWal + " failed at " + lastFailedAt : "")
                + (lastArchivedWal == null ? "" : "; last archived " + lastArchivedWal + " at " + lastArchivedAt);
    }
}
