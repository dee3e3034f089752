package io.pgfleet.clusters.local;

import io.pgfleet.clusters.PrimaryChange;
import io.pgfleet.clusters.TenantSession;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.host.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The primary's role across members: observes what {@link FailoverPlanner} needs (is the designated primary running, since
 * when not, its data intact, the quorum in force, how much WAL each standby holds), asks it, and carries out its
 * decision: fence the old primary (stopped by its pid, {@code standby.signal} in its data, marked to rejoin), designate
 * and promote the chosen standby, give it the other members' replication slots; later rewind the old primary onto the
 * new timeline ({@code pg_rewind}) or, when that cannot be done, set its data aside and copy the new primary again.
 */
final class LocalFailover {

    private static final Logger LOG = LoggerFactory.getLogger(LocalFailover.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final LocalSettings settings;
    private final MemberConnections connections;
    private final Clock clock;

    LocalFailover(LocalSettings settings, MemberConnections connections, Clock clock) {
        this.settings = settings;
        this.connections = connections;
        this.clock = clock;
    }

    /**
     * What {@link FailoverPlanner} decides on, when the designated primary's data is complete (before: provisioning, not
     * failover): whether it runs and answers the probe (bounded by {@code pgfleet.local.probe-timeout}), since when it has
     * been stopped or silent (kept on disk, {@link #mark}), whether it is being promoted, the members to rejoin; while it
     * does not answer, what each standby holds; while it answers, the standbys that can never stream again.
     */
    Optional<FailoverPlanner.Situation> observe(List<LocalMember> members) {
        LocalMember primary = members.get(0);
        if (!primary.isComplete()) {
            return Optional.empty();
        }
        boolean running = primary.isRunning();
        Instant now = clock.instant();
        Instant since = mark(downMarker(primary), !running, now);
        boolean promoting = Files.exists(primary.dataDir().resolve("standby.signal"));
        // The probe: a primary whose postmaster runs but does not answer is lost once it has been silent long enough.
        boolean answers = running && connections.answers(primary, settings.probeTimeout());
        Instant silentSince = mark(silentMarker(primary), running && !answers, now);
        List<Integer> rejoining = members.stream().filter(m -> m != primary && Files.exists(rejoinMarker(m))).map(LocalMember::index).toList();
        List<FailoverPlanner.Lost> lost = new ArrayList<>();
        if (answers && !promoting && rejoining.isEmpty()) {
            members.stream().filter(m -> m != primary && m.isComplete() && !dataIntact(m))
                    .forEach(m -> lost.add(new FailoverPlanner.Lost(m.index(), FailoverPlanner.DATA_LOST)));
            lostSlots(primary, members).forEach(m -> lost.add(new FailoverPlanner.Lost(m.index(), FailoverPlanner.SLOT_LOST)));
        }
        List<FailoverPlanner.Standby> standbys = new ArrayList<>();
        if (!answers) {
            members.stream().filter(m -> m != primary && m.isComplete() && !rejoining.contains(m.index()))
                    .forEach(m -> standbys.add(observe(m)));
        }
        String names = MemberConfig.settingsOf(primary.configFiles()).getOrDefault("synchronous_standby_names", "");
        return Optional.of(new FailoverPlanner.Situation(primary.index(), running, answers, Duration.between(silentSince, now),
                settings.unresponsiveAfter(), promoting, dataIntact(primary), Duration.between(since, now), settings.failoverDelay(),
                FailoverPlanner.quorumOf(names), FailoverPlanner.namesOf(names), standbys, rejoining, lost));
    }

    /** Carries out what {@link FailoverPlanner} decided (anything but {@link FailoverPlanner.Decision.Proceed}). */
    Step carryOut(FailoverPlanner.Decision decision, LocalInstance instance, List<LocalMember> members) {
        LocalMember primary = members.get(0);
        IntFunction<LocalMember> member = index -> members.stream().filter(m -> m.index() == index).findFirst().orElseThrow();
        if (decision instanceof FailoverPlanner.Decision.FinishPromotion) {
            return finishPromotion(instance, primary, members);
        } else if (decision instanceof FailoverPlanner.Decision.Promote promote) {
            if (promote.hung()) {
                primary.kill();   // before anything else: frozen processes that resume later must find nothing to write with
            }
            Instant since = LocalFiles.read(promote.hung() ? silentMarker(primary) : downMarker(primary))
                    .map(t -> Instant.parse(t.strip())).orElse(clock.instant());
            return promote(instance, primary, member.apply(promote.index()), new RoleChange("Failover", promote.cause(), promote.why(),
                    promote.receivedLsn(), since, promote.hung() ? "killed" : "stopped"), members);
        } else if (decision instanceof FailoverPlanner.Decision.Kill kill) {
            primary.kill();
            LOG.warn("{}: {} killed ({}); it starts again", instance.key(), primary.name(), kill.why());
            return Step.next(primary.name() + " killed (" + kill.why() + "); it starts again");
        } else if (decision instanceof FailoverPlanner.Decision.Wait wait) {
            return Step.waitFor(primary.name() + " does not answer: " + wait.reason(), Duration.ofMillis(500));
        } else if (decision instanceof FailoverPlanner.Decision.Refuse refuse) {
            return Step.waitFor("no failover: " + refuse.reason(), Duration.ofSeconds(2));
        } else if (decision instanceof FailoverPlanner.Decision.Rejoin rejoin) {
            return rejoin(instance, member.apply(rejoin.index()), primary);
        } else if (decision instanceof FailoverPlanner.Decision.CopyAgain copy) {
            return copyAgain(instance, member.apply(copy.index()), primary, copy.why());
        }
        throw new IllegalArgumentException("not a decision to carry out: " + decision);
    }

    /**
     * The time a condition was first seen, kept in a file so that a step after a restart of the service still knows it:
     * written when the condition holds and the file is absent, removed when it no longer holds; {@code now} when it does not.
     */
    static Instant mark(Path file, boolean holds, Instant now) {
        if (!holds) {
            LocalFiles.deleteTree(file);
            return now;
        }
        Optional<Instant> since = LocalFiles.read(file).map(t -> Instant.parse(t.strip()));
        if (since.isEmpty()) {
            LocalFiles.write(file, now + "\n", "rw-r--r--");
        }
        return since.orElse(now);
    }

    FailoverPlanner.Standby observe(LocalMember member) {
        if (!member.isRunning()) {
            return new FailoverPlanner.Standby(member.index(), member.name(), false, null);
        }
        try {
            return connections.bounded(member, settings.probeTimeout(), connection -> {
                try (Statement sql = connection.createStatement();
                     ResultSet row = sql.executeQuery("SELECT pg_wal_lsn_diff(greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), '0/0')::bigint")) {
                    row.next();
                    long lsn = row.getLong(1);
                    return new FailoverPlanner.Standby(member.index(), member.name(), true, row.wasNull() ? null : lsn);
                }
            });
        } catch (SQLException e) {
            return new FailoverPlanner.Standby(member.index(), member.name(), false, null);
        }
    }

    static boolean dataIntact(LocalMember member) {
        return Files.exists(member.dataDir().resolve("PG_VERSION")) && Files.exists(member.dataDir().resolve("global/pg_control"));
    }

    /** Since when the member's postmaster has run without answering (the health check's look and each step's probe write it). */
    static Path silentMarker(LocalMember member) {
        return member.dir().resolve("silent-since");
    }

    /** Since when the member's postmaster has been seen stopped while it is the designated primary. */
    static Path downMarker(LocalMember member) {
        return member.dir().resolve("down-since");
    }

    static Path rejoinMarker(LocalMember member) {
        return member.dir().resolve("rejoin");
    }

    /**
     * A change of primary as the events tell it.
     *
     * @param kind        {@code Failover} or {@code Switchover}
     * @param cause       why the old primary was given up: {@code stopped}, {@code unresponsive}, {@code data lost}, or
     *                    {@code switchover}
     * @param why         the same in words
     * @param receivedLsn the WAL position the new primary holds
     * @param since       since when the old primary was stopped, silent or being switched over
     * @param fencing     how the old primary was fenced: {@code killed} (SIGKILL of every process), {@code stopped}, or
     *                    {@link LocalFailover#SHUT_DOWN} (a switchover's: its shutdown checkpoint written)
     */
    record RoleChange(String kind, String cause, String why, Long receivedLsn, Instant since, String fencing) {
    }

    /** How a switchover's old primary is fenced: it wrote its shutdown checkpoint and takes no write; its postmaster may still end. */
    static final String SHUT_DOWN = "shut down";

    /**
     * Fences the old primary (stopped; or, when it {@link #SHUT_DOWN shut down} cleanly, only marked: the rejoin stops it),
     * designates the chosen standby, promotes it. Each part is safe to repeat.
     */
    Step promote(LocalInstance instance, LocalMember old, LocalMember chosen, RoleChange change, List<LocalMember> members) {
        if (change.fencing().equals(SHUT_DOWN)) {
            markStandby(old);
        } else {
            fence(old);
        }
        LocalFiles.write(rejoinMarker(old), chosen.index() + "\n", "rw-r--r--");
        instance.designate(new LocalInstance.Designation(chosen.index(), old.index(), clock.instant(), change.kind()));
        LOG.warn("{}: {} from {} to {} ({}; it holds WAL up to {})", instance.key(), change.kind().toLowerCase(Locale.ROOT), old.name(),
                chosen.name(), change.why(), lsnText(change.receivedLsn()));
        Step promoted = finishPromotion(instance, chosen, members);
        if (promoted.outcome() == Step.Outcome.FAILED) {
            return promoted;
        }
        PrimaryChange fact = new PrimaryChange(change.kind(), change.cause(), old.name(), old.name() + " (" + change.fencing() + ")",
                chosen.name(), change.why(), change.since(), lsnText(change.receivedLsn()));
        return Step.next(chosen.name() + " promoted in place of " + old.name() + " (" + change.why() + ")").with(fact);
    }

    /** Stops a member that must not serve as a primary any more (by its recorded pid when its data is gone) and marks its data a standby's. */
    void fence(LocalMember member) {
        member.stop();
        LocalFiles.read(member.dir().resolve("postmaster.last-pid")).map(String::strip).filter(p -> p.matches("\\d+")).map(Long::parseLong)
                .filter(pid -> LocalFiles.read(Path.of("/proc/" + pid + "/cmdline")).orElse("").contains(member.dataDir().toString()))
                .ifPresent(pid -> {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    Processes.awaitExit(pid, Duration.ofSeconds(30));
                });
        markStandby(member);
    }

    /** {@code standby.signal} in the member's data: whatever starts it next starts a standby. */
    private static void markStandby(LocalMember member) {
        if (Files.isDirectory(member.dataDir()) && dataIntact(member)) {
            writeOwned(member, member.dataDir().resolve("standby.signal"), "");
        }
    }

    /** Starts the designated primary if it is stopped, promotes it, and creates the other members' slots on it. */
    private Step finishPromotion(LocalInstance instance, LocalMember primary, List<LocalMember> members) {
        if (!primary.isRunning()) {
            Optional<String> complaint = primary.start();
            if (complaint.isPresent()) {
                return Step.waitFor("designated primary " + primary.name() + " does not start: " + complaint.get(), Duration.ofSeconds(2));
            }
        }
        try (Connection connection = primary.connect("postgres"); Statement sql = connection.createStatement()) {
            try (ResultSet row = sql.executeQuery("SELECT pg_is_in_recovery()")) {
                row.next();
                if (row.getBoolean(1)) {
                    try (ResultSet promoted = sql.executeQuery("SELECT pg_promote(true, 60)")) {
                        promoted.next();
                        if (!promoted.getBoolean(1)) {
                            return Step.poll(primary.name() + " is being promoted", Duration.ofMillis(200));
                        }
                    }
                }
            }
            ensureSlots(connection, members.stream().filter(m -> m != primary).toList());
        } catch (SQLException e) {
            return Step.poll(primary.name() + " does not answer yet: " + e.getMessage(), Duration.ofMillis(500));
        }
        return Step.next(primary.name() + " promoted");
    }

    /** Creates the physical replication slots these standbys stream through, when missing; returns how many it created. */
    static int ensureSlots(Connection primary, List<LocalMember> standbys) throws SQLException {
        int created = 0;
        try (PreparedStatement create = primary.prepareStatement("SELECT pg_create_physical_replication_slot(?, true) "
                + "WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ?)")) {
            for (LocalMember standby : standbys) {
                create.setString(1, standby.slotName());
                create.setString(2, standby.slotName());
                try (ResultSet row = create.executeQuery()) {
                    created += row.next() ? 1 : 0;
                }
            }
        }
        return created;
    }

    /**
     * Brings a former primary onto the new primary's timeline: pg_rewind from it, then it starts as a standby. When its
     * data is gone or cannot be rewound, the data is set aside under {@code superseded/} (never deleted: it served) and
     * the member is copied again like a new one.
     */
    private Step rejoin(LocalInstance instance, LocalMember member, LocalMember primary) {
        fence(member);
        String why;
        if (dataIntact(member)) {
            // pg_rewind reads the new timeline from the source's control file, which only a checkpoint after the promotion updates.
            try (Connection connection = primary.connect("postgres"); Statement sql = connection.createStatement()) {
                sql.execute("CHECKPOINT");
            } catch (SQLException e) {
                return LocalSteps.unreachable(primary, e);
            }
            LocalFiles.deleteTree(member.dataDir().resolve("standby.signal"));   // pg_rewind finishes crash recovery in single-user mode
            try {
                Postmaster.clearAfterCrash(member.dataDir(), member.socketDir(), member.port());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> argv = List.of(settings.binaries().tool("pg_rewind"), "--target-pgdata=" + member.dataDir(), "--source-server=host=127.0.0.1 port="
                    + primary.port() + " user=" + LocalInstance.SUPERUSER + " dbname=postgres"
                    + (settings.tlsEnabled() ? " sslmode=verify-full sslrootcert=" + settings.caCertificate() : ""), "--no-sync");
            CommandResult result = ProcessRunner.run(member.osUser().command(argv),
                    Map.of("PGPASSWORD", instance.superuserPassword(), "PGOPTIONS", TenantSession.OPTIONS),
                    Path.of("/"), TIMEOUT);
            if (result.ok()) {
                writeOwned(member, member.dataDir().resolve("standby.signal"), "");
                LocalFiles.deleteTree(rejoinMarker(member));
                return Step.next(member.name() + " rewound onto " + primary.name() + "'s timeline (pg_rewind); it follows as a standby");
            }
            why = "pg_rewind failed: " + Postmaster.complaint(result.output());
            writeOwned(member, member.dataDir().resolve("standby.signal"), "");
        } else {
            why = "its data directory is gone or damaged";
        }
        return copyAgain(instance, member, primary, why);
    }

    /** The standbys of the primary whose replication slots were invalidated for lack of kept WAL, when they do not stream. */
    private List<LocalMember> lostSlots(LocalMember primary, List<LocalMember> members) {
        List<String> lost;
        try {
            lost = connections.column(primary, "SELECT slot_name FROM pg_replication_slots WHERE wal_status = 'lost' AND NOT active");
        } catch (SQLException e) {
            return List.of();   // not answering yet: the planner's steps say why
        }
        return members.stream().filter(m -> m != primary && m.isComplete() && lost.contains(m.slotName())).toList();
    }

    /**
     * Sets a member's data aside under {@code superseded/} (never deleted: it served) and has it copied again from the
     * primary like a new member, with a new replication slot.
     */
    private Step copyAgain(LocalInstance instance, LocalMember member, LocalMember primary, String why) {
        fence(member);
        Path aside = setAside(instance, member, why);
        try (Connection connection = primary.connect("postgres");
             PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                     + "WHERE slot_name = ? AND NOT active")) {
            drop.setString(1, member.slotName());
            drop.execute();
        } catch (SQLException e) {
            return LocalSteps.unreachable(primary, e);
        }
        LOG.warn("{}: {} is copied again from {} ({}); its old data is kept in {}", instance.key(), member.name(), primary.name(), why, aside);
        return Step.next(member.name() + " is copied again from " + primary.name() + " (" + why + "); its old data is kept in " + aside);
    }

    /**
     * Moves a stopped member's data under {@code superseded/} (never deleted: it served), so that the driver copies it again
     * from the primary like a new member; returns where it went.
     */
    Path setAside(LocalInstance instance, LocalMember member, String why) {
        Path aside = instance.dir().resolve("superseded").resolve(member.dir().getFileName() + "-" + clock.millis());
        try {
            Files.createDirectories(aside.getParent());
            if (Files.exists(member.dataDir())) {
                Files.move(member.dataDir(), aside);
            }
            for (String marker : List.of("initialised", "complete")) {
                Files.deleteIfExists(member.dir().resolve(marker));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalFiles.deleteTree(rejoinMarker(member));
        LOG.info("{}: {}'s data set aside in {} ({})", instance.key(), member.name(), aside, why);
        return aside;
    }

    private static void writeOwned(LocalMember member, Path file, String text) {
        LocalFiles.write(file, text, "rw-------");
        member.osUser().own(file);
    }

    static String lsnText(Long lsn) {
        return lsn == null ? null : String.format("%X/%X", lsn >>> 32, lsn & 0xFFFFFFFFL);
    }
}
