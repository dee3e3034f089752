package io.pgfleet.clusters.local;

import io.pgfleet.clusters.ArchiveLayout;
import io.pgfleet.clusters.ArchiveState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.time.Instant;

/**
 * An instance's WAL archive on this machine: the provisioner names it in every member's {@code archive_command}; the
 * backup-worker writes the pgBackRest configuration it reads ({@code <instance>/pgbackrest/pgbackrest.conf}) and owns
 * the repository, putting that file in place only once the stanza exists. Until then archiving fails at once (pgBackRest
 * finds no configuration) and PostgreSQL keeps the segments (it retries; nothing is lost).
 */
final class LocalArchive {

    private LocalArchive() {
    }

    static Path dir(LocalInstance instance) {
        return instance.dir().resolve("pgbackrest");
    }

    static Path configFile(LocalInstance instance) {
        return dir(instance).resolve("pgbackrest.conf");
    }

    /** The member's {@code archive_command}. */
    static String command(LocalSettings settings, LocalInstance instance, LocalMember member) {
        return ArchiveLayout.archiveCommand(settings.pgbackrest(), configFile(instance), ArchiveLayout.stanza(instance.key()), member.dataDir());
    }

    static ArchiveLayout layout(LocalSettings settings, LocalInstance instance) {
        List<ArchiveLayout.MemberPaths> members = instance.members().stream()
                .map(m -> new ArchiveLayout.MemberPaths(m.name(), m.dataDir(), m.port(), m.socketDir(), m.isPrimary(), m.isRunning()))
                .toList();
        return new ArchiveLayout(ArchiveLayout.stanza(instance.key()), configFile(instance), dir(instance), instance.osUser(), members);
    }

    /** The archiver's state, when the primary archives ({@code archive_mode} on). */
    static Optional<ArchiveState> state(Connection primary) throws SQLException {
        try (Statement sql = primary.createStatement(); ResultSet row = sql.executeQuery(
                "SELECT current_setting('archive_mode'), a.last_archived_wal, a.last_archived_time, a.last_failed_wal, a.last_failed_time, "
                        + "w.waiting, w.oldest FROM pg_stat_archiver a, (SELECT count(*)::int AS waiting, min(modification) AS oldest "
                        + "FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready') w")) {
            row.next();
            if ("off".equals(row.getString(1))) {
                return Optional.empty();
            }
            return Optional.of(new ArchiveState(row.getString(2), instant(row.getTimestamp(3)), row.getString(4), instant(row.getTimestamp(5)),
                    row.getInt(6), instant(row.getTimestamp(7))));
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
