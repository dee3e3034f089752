package io.pgfleet.clusters.local;

import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashMap;

/**
 * A planned change of primary: the old primary shuts down cleanly once every streaming standby has its WAL, the chosen
 * standby is promoted through {@link LocalFailover} (fencing, designation, promotion, slots) as soon as it holds the old
 * primary's shutdown checkpoint — without waiting for the old postmaster to end, which with WAL archiving waits for its
 * last segment to reach the archive (seconds that writes would otherwise pause for) — and the old primary rejoins as a
 * standby. The marker {@code member-<n>/switchover} (target and start time) makes every step safe to repeat.
 */
final class LocalSwitchover {

    /** How long a switchover waits for a standby that streams (or the one named) before it is refused. */
    static final Duration STREAMING_WAIT = Duration.ofSeconds(30);

    private final LocalSettings settings;
    private final LocalFailover failover;
    private final Clock clock;

    LocalSwitchover(LocalSettings settings, LocalFailover failover, Clock clock) {
        this.settings = settings;
        this.failover = failover;
        this.clock = clock;
    }

    /**
     * One step of a planned switchover from the running primary: choose the target (named, or the streaming standby that
     * received the most), mark the switchover and shut the primary down (fast: its walsenders send every WAL record to
     * the streaming standbys first; writes pause from here); once the target has received the shutdown checkpoint,
     * promote it. A target that does not catch up within 30 seconds ends the switchover: the old primary starts again. With no
     * standby that streams (or not the one named) for 30 seconds, the switchover is refused and the primary stays.
     */
    Step step(LocalInstance instance, List<LocalMember> members, Optional<String> to) {
        LocalMember old = members.get(0);
        Path marker = old.dir().resolve("switchover");
        Optional<String> marked = LocalFiles.read(marker).map(String::strip);
        if (marked.isEmpty()) {
            Map<String, Long> streaming = new HashMap<>();
            try (Connection connection = old.connect("postgres"); Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT application_name, pg_wal_lsn_diff(flush_lsn, '0/0')::bigint FROM pg_stat_replication "
                         + "WHERE state = 'streaming'")) {
                while (rows.next()) {
                    streaming.put(rows.getString(1), rows.getLong(2));
                }
            } catch (SQLException e) {
                LocalFiles.deleteTree(waiting(old));
                return Step.failed("the primary " + old.name() + " does not answer (" + e.getMessage() + "): a switchover needs it running");
            }
            List<FailoverPlanner.Standby> standbys = members.stream().filter(m -> m != old)
                    .map(m -> new FailoverPlanner.Standby(m.index(), m.name(), streaming.containsKey(m.name()), streaming.get(m.name()))).toList();
            Optional<FailoverPlanner.Standby> target = FailoverPlanner.switchoverTarget(standbys, to);
            // Waited for since the first look that found none, kept on disk so that a retried step still knows.
            Instant since = LocalFailover.mark(waiting(old), target.isEmpty(), clock.instant());
            if (target.isEmpty()) {
                String awaited = to.map(name -> name + " to stream before it takes over").orElse("a standby that streams");
                if (Duration.between(since, clock.instant()).compareTo(STREAMING_WAIT) > 0) {
                    // Refused rather than waited for: the instance's queue would hold its repairs, which bring the standbys back.
                    LocalFiles.deleteTree(waiting(old));
                    return Step.failed("no switchover: waited " + STREAMING_WAIT.toSeconds() + "s for " + awaited + "; " + old.name()
                            + " stays the primary");
                }
                return Step.poll(awaited, Duration.ofMillis(500));
            }
            LocalFiles.write(marker, target.get().index() + " " + clock.instant() + "\n", "rw-r--r--");
            old.requestStop();
            return Step.poll(old.name() + " shutting down for the switchover to " + target.get().name() + "; writes pause until it is promoted",
                    Duration.ofMillis(50));
        }
        String[] parts = marked.get().split(" ");
        LocalMember target = members.stream().filter(m -> m.index() == Integer.parseInt(parts[0])).findFirst().orElseThrow();
        Instant started = Instant.parse(parts[1]);
        Optional<Long> checkpoint = shutdownCheckpoint(old);
        boolean late = Duration.between(started, clock.instant()).compareTo(Duration.ofSeconds(30)) > 0;
        if (checkpoint.isEmpty() && old.isRunning() && !late) {
            // Asked again (a predecessor marked the switchover and was killed before it asked): a fast shutdown asked twice is one.
            old.requestStop();
            return Step.poll(old.name() + " shutting down for the switchover to " + target.name() + "; writes pause until it is promoted",
                    Duration.ofMillis(50));
        }
        FailoverPlanner.Standby seen = failover.observe(target);
        if (checkpoint.isPresent() && seen.receivedLsn() != null && seen.receivedLsn() > checkpoint.get()) {
            // Its shutdown checkpoint is written (it takes no write any more) and the target holds it: the target is promoted
            // now, while the old primary's archiver may still be pushing its last segment (its postmaster ends after that).
            Step promoted = failover.promote(instance, old, target, new LocalFailover.RoleChange("Switchover", "switchover", "switchover",
                    seen.receivedLsn(), started, LocalFailover.SHUT_DOWN), members);
            if (promoted.outcome() != Step.Outcome.FAILED) {
                LocalFiles.deleteTree(marker);
            }
            return promoted;
        }
        if (late) {
            old.stop();
            Optional<String> complaint = old.start();
            LocalFiles.deleteTree(marker);
            return Step.failed(target.name() + " did not receive the old primary's last WAL within 30s; " + old.name()
                    + complaint.map(c -> " could not start again: " + c).orElse(" is the primary again"));
        }
        return Step.poll(target.name() + " to receive " + old.name() + "'s shutdown checkpoint", Duration.ofMillis(100));
    }

    /** Since when the switchover has waited for a standby that streams: {@code member-<n>/switchover-waiting}. */
    static Path waiting(LocalMember primary) {
        return primary.dir().resolve("switchover-waiting");
    }

    /**
     * Where the primary's last checkpoint starts (pg_controldata), once it is a shutdown checkpoint: the server wrote its
     * last WAL record, whether or not its postmaster still runs (its archiver pushes the last segment before it ends).
     */
    private Optional<Long> shutdownCheckpoint(LocalMember member) {
        CommandResult result = ProcessRunner.run(member.osUser().command(List.of(settings.binaries().tool("pg_controldata"), "-D",
                member.dataDir().toString())), Map.of("LC_ALL", "C"), Path.of("/"), Duration.ofMinutes(1));
        if (!result.ok() || !result.output().lines().anyMatch(l -> l.matches("Database cluster state: +shut down"))) {
            return Optional.empty();
        }
        return result.output().lines().filter(l -> l.startsWith("Latest checkpoint location:")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).map(LocalSwitchover::lsn);
    }

    static long lsn(String text) {
        String[] halves = text.split("/");
        return (Long.parseLong(halves[0], 16) << 32) | Long.parseLong(halves[1], 16);
    }
}
