package io.pgfleet.backup.wal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which base backups an instance's WAL archive no longer needs: pure, from the backups (oldest first), the window
 * {@code cleanupStrategy} promises and the time now. Every time from {@code now - window} on must stay restorable, so the
 * newest base backup that ended at or before that moment is kept (it is the base the window's oldest times replay from)
 * with every later one; those before it expire, and pgBackRest's {@code expire --set} removes each with the WAL only it
 * needed. The newest base backup is never expired.
 *
 * @param window how far back a restore may reach
 */
public record WalRetention(Duration window) {

    /** The oldest time the window promises at {@code now}. */
    public Instant keepsFrom(Instant now) {
        return now.minus(window);
    }

    /** The base backups to expire, oldest first. */
    public List<ArchiveInfo.BaseBackup> expired(List<ArchiveInfo.BaseBackup> backups, Instant now) {
        Instant from = keepsFrom(now);
        int base = -1;
        for (int i = 0; i < backups.size(); i++) {
            if (!backups.get(i).stop().isAfter(from)) {
                base = i;
            }
        }
        return base <= 0 ? List.of() : new ArrayList<>(backups.subList(0, base));
    }
}
