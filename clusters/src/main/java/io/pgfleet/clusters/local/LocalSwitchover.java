package io.pgfleet.clusters.local;

import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.local.CommandResult;
import io.pgfleet.runtime.local.ProcessRunner;
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
 * standby is promoted through {@link LocalFailover} (fencing, designation, promotion, slots), and the old primary
 * rejoins as a standby. The marker {@code member-<n>/switchover} (target and start time) makes every step safe to repeat.
 */
final class LocalSwitchover {

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
     * promote it. A target that does not catch up within 30 seconds ends the switchover: the old primary starts again.
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
                return Step.failed("the primary " + old.name() + " does not answer (" + e.getMessage() + "): a switchover needs it running");
            }
            List<Failover.Standby> standbys = members.stream().filter(m -> m != old)
                    .map(m -> new Failover.Standby(m.index(), m.name(), streaming.containsKey(m.name()), streaming.get(m.name()))).toList();
            Optional<Failover.Standby> target = Failover.switchoverTarget(standbys, to);
            if (target.isEmpty()) {
                return to.isPresent() ? Step.poll(to.get() + " to stream before it takes over", Duration.ofMillis(500))
                        : Step.poll("a standby that streams", Duration.ofMillis(500));
            }
            LocalFiles.write(marker, target.get().index() + " " + clock.instant() + "\n", "rw-r--r--");
            old.stop();
            return Step.next(old.name() + " shut down for the switchover to " + target.get().name() + "; writes pause until it is promoted");
        }
        String[] parts = marked.get().split(" ");
        LocalMember target = members.stream().filter(m -> m.index() == Integer.parseInt(parts[0])).findFirst().orElseThrow();
        Instant started = Instant.parse(parts[1]);
        if (old.isRunning()) {
            old.stop();   // a predecessor marked the switchover and was killed before it shut the primary down
            return Step.next(old.name() + " shut down for the switchover to " + target.name() + "; writes pause until it is promoted");
        }
        Optional<Long> checkpoint = shutdownCheckpoint(old);
        Failover.Standby seen = failover.observe(target);
        if (checkpoint.isPresent() && seen.receivedLsn() != null && seen.receivedLsn() > checkpoint.get()) {
            Step promoted = failover.promote(instance, old, target, new LocalFailover.RoleChange("Switchover", "switchover", "switchover",
                    seen.receivedLsn(), started, "stopped"), members);
            if (promoted.outcome() != Step.Outcome.FAILED) {
                LocalFiles.deleteTree(marker);
            }
            return promoted;
        }
        if (Duration.between(started, clock.instant()).compareTo(Duration.ofSeconds(30)) > 0) {
            Optional<String> complaint = old.start();
            LocalFiles.deleteTree(marker);
            return Step.failed(target.name() + " did not receive the old primary's last WAL within 30s; " + old.name()
                    + complaint.map(c -> " could not start again: " + c).orElse(" is the primary again"));
        }
        return Step.poll(target.name() + " to receive " + old.name() + "'s shutdown checkpoint", Duration.ofMillis(100));
    }

    /** Where the stopped primary's last checkpoint starts (pg_controldata), when it shut down cleanly. */
    private Optional<Long> shutdownCheckpoint(LocalMember member) {
        if (member.isRunning()) {
            return Optional.empty();
        }
        CommandResult result = ProcessRunner.run(member.osUser().command(List.of(settings.binaries().tool("pg_controldata"), "-D",
                member.dataDir().toString())), Map.of("LC_ALL", "C"), Path.of("/"), Duration.ofMinutes(1));
        if (!result.ok() || !result.output().contains("shut down")) {
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
