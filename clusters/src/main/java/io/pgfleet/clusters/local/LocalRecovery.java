package io.pgfleet.clusters.local;

import io.pgfleet.clusters.Recovery;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.credentials.ScramVerifier;
import io.pgfleet.runtime.job.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.pgfleet.host.OsUser;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Timestamp;
import java.util.function.Supplier;

/**
 * A point-in-time restore of a local instance, one step per call, kept in {@code <instance>/recovery/recovery.json} so a
 * killed predecessor's work is picked up where it stands (and so the provisioner leaves the members alone meanwhile):
 * <ol>
 *   <li>{@code fencing}: every member is stopped; the primary's own files (its managed configuration, pg_hba.conf,
 *       certificate and key) are kept aside, since the restored data carries those of the member it was copied from;</li>
 *   <li>{@code restoring}: the data of the time is restored into the primary's data directory (a delta restore), its own
 *       files put back;</li>
 *   <li>{@code restored}: the primary starts and replays WAL up to the time, where it pauses; the LSN and the time of
 *       the last transaction replayed are written down, then it is promoted;</li>
 *   <li>{@code reached}: the recovery settings are removed, the instance's own passwords set again (the data may come
 *       from another instance), the standbys' data set aside to be copied again from the new primary by the
 *       provisioner; the file is removed.</li>
 * </ol>
 */
final class LocalRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRecovery.class);
    /**
     * The member's own files. The document's parameters are not among them: replay needs settings at least as high as
     * those the data was written with (max_connections ...), so it runs with the restored ones; the provisioner writes the
     * instance's own again once the restore is done (and restarts the member when one needs it).
     */
    private static final List<String> OWN_FILES = List.of(MemberConfig.MANAGED_FILE, "pg_hba.conf", LocalTls.CERT, LocalTls.KEY);
    /** Kept aside with them, and put back (with a restart) once the primary is promoted. */
    private static final String PARAMETERS = MemberConfig.PARAMETERS_FILE;
    /** PostgreSQL's words when archive recovery runs out of WAL before its target. */
    static final String ENDED_EARLY = "recovery ended before configured recovery target was reached";
    /** The longest pause between two looks at a replay. */
    private static final Duration REPLAY_LOOKS = Duration.ofMillis(250);

    /** What is written down between steps. */
    record State(String commandId, Instant target, String phase, String lsn, Instant lastTransactionAt) {
    }

    private final LocalSettings settings;
    private final LocalFailover failover;

    LocalRecovery(LocalSettings settings, LocalFailover failover) {
        this.settings = settings;
        this.failover = failover;
    }

    static Path file(LocalInstance instance) {
        return instance.dir().resolve("recovery").resolve("recovery.json");
    }

    /** The restore under way, if any: while there is one, the driver leaves the members alone. */
    static Optional<State> underWay(LocalInstance instance) {
        return LocalFiles.read(file(instance)).map(text -> Json.read(text, State.class));
    }

    Step step(LocalInstance instance, List<LocalMember> members, Recovery recovery) {
        State state = underWay(instance).filter(s -> s.commandId().equals(recovery.commandId())).orElse(null);
        RecoveryPlan.Seen seen = observe(instance, members, state, recovery);
        return act(RecoveryPlan.next(seen), instance, members, state, seen, recovery);
    }

    /** What the plan needs: the phase written down, the members' processes, the primary's log and replay. */
    private RecoveryPlan.Seen observe(LocalInstance instance, List<LocalMember> members, State state, Recovery recovery) {
        if (state == null) {
            return new RecoveryPlan.Seen(null, null, false, false, null);
        }
        LocalMember primary = members.get(0);
        String running = members.stream().filter(LocalMember::isRunning).map(LocalMember::name).findFirst().orElse(null);
        boolean primaryRunning = primary.isRunning();
        boolean endedEarly = !primaryRunning && LocalFiles.read(primary.logFile()).orElse("").contains(ENDED_EARLY);
        RecoveryPlan.Replay replay = null;
        if (primaryRunning && !state.phase().equals("fencing") && !state.phase().equals("restoring")) {
            try (Connection connection = connect(primary, instance, recovery); Statement sql = connection.createStatement();
                 ResultSet row = sql.executeQuery("SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END, "
                         + "pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp()")) {
                row.next();
                Timestamp last = row.getTimestamp(4);
                replay = new RecoveryPlan.Replay(row.getBoolean(1), row.getString(2), row.getString(3), last == null ? null : last.toInstant());
            } catch (SQLException e) {
                LOG.debug("{} does not answer yet: {}", primary.name(), e.getMessage());
            }
        }
        return new RecoveryPlan.Seen(state.phase(), running, primaryRunning, endedEarly, replay);
    }

    private Step act(RecoveryPlan.Action action, LocalInstance instance, List<LocalMember> members, State state, RecoveryPlan.Seen seen,
                     Recovery recovery) {
        LocalMember primary = members.get(0);
        Path kept = instance.dir().resolve("recovery").resolve("own-files");
        switch (action) {
            case BEGIN -> {
                recovery.flush().run();
                write(instance, new State(recovery.commandId(), recovery.target(), "fencing", null, null));
                return Step.next("a point-in-time restore to " + recovery.target() + " begins: the members stop");
            }
            case STOP_MEMBER -> {
                LocalMember member = members.stream().filter(m -> m.name().equals(seen.runningMember())).findFirst().orElseThrow();
                member.stop();
                return Step.next(member.name() + " stopped for the restore");
            }
            case KEEP_OWN_FILES -> {
                if (!Files.exists(kept.resolve("complete"))) {
                    LocalFiles.deleteTree(kept);
                    LocalFiles.mkdir(kept, "rwx------");
                    for (String name : OWN_FILES) {
                        copy(primary.dataDir().resolve(name), kept.resolve(name), primary.osUser());
                    }
                    copy(primary.dataDir().resolve(PARAMETERS), kept.resolve(PARAMETERS), primary.osUser());
                    LocalFiles.write(kept.resolve("complete"), "", "rw-------");
                }
                write(instance, withPhase(state, "restoring"));
                return Step.next("every member stopped; " + primary.name() + "'s own files kept aside");
            }
            case RESTORE -> {
                recovery.restorer().restore(primary.dataDir(), state.target());
                for (String name : OWN_FILES) {
                    copy(kept.resolve(name), primary.dataDir().resolve(name), primary.osUser());
                }
                deleteIfExists(primary.dataDir().resolve("standby.signal"));
                write(instance, withPhase(state, "restored"));
                return Step.next("the data of " + state.target() + " restored into " + primary.name() + "; it replays WAL up to that time");
            }
            case START_PRIMARY -> {
                Optional<String> complaint = primary.start();
                if (complaint.isPresent()) {
                    return LocalFiles.read(primary.logFile()).orElse("").contains(ENDED_EARLY) ? endedEarly(state)
                            : Step.failed(primary.name() + " does not start: " + complaint.get());
                }
                return Step.next(primary.name() + " started" + (state.phase().equals("restored") ? "; it replays WAL up to " + state.target() : ""));
            }
            case ENDED_EARLY -> {
                // A replay that ran out of WAL before the time ends the postmaster: starting it again would do the same.
                return endedEarly(state);
            }
            case WAIT -> {
                // A poll (first look after 10 ms, backing off to a quarter second): a short replay is seen ending soon after
                // it does, and one status event says what is waited for, not one per look.
                return Step.poll(seen.replay() == null ? primary.name() + " does not answer yet"
                        : primary.name() + " replays WAL up to " + state.target(), REPLAY_LOOKS);
            }
            case PROMOTE -> {
                write(instance, new State(state.commandId(), state.target(), "reached", seen.replay().lsn(), seen.replay().lastTransactionAt()));
                return sql(primary, instance, recovery, "SELECT pg_promote(true, 60)", () -> {
                    LOG.info("{}: restored to {} (LSN {}), promoted", instance.key(), state.target(), seen.replay().lsn());
                    return Step.next(primary.name() + " reached " + state.target() + " at LSN " + seen.replay().lsn() + " and is promoted");
                });
            }
            case FINISH_PROMOTION -> {
                // Promoted by a predecessor that was killed before the promotion took: paused at the time again.
                return sql(primary, instance, recovery, "SELECT CASE WHEN pg_get_wal_replay_pause_state() = 'paused' THEN pg_promote(false) END",
                        () -> Step.poll(primary.name() + " finishes its promotion", REPLAY_LOOKS));
            }
            default -> {
                return makeOwn(instance, members, state, recovery);
            }
        }
    }

    private static Step endedEarly(State state) {
        return Step.failed("the archive ends before " + state.target() + ": " + ENDED_EARLY + "; the instance stays stopped until a restore succeeds");
    }

    /** Runs one statement on the primary; {@code then} says what comes next, or a wait while it does not answer. */
    private static Step sql(LocalMember primary, LocalInstance instance, Recovery recovery, String statement,
                            Supplier<Step> then) {
        try (Connection connection = connect(primary, instance, recovery); Statement sql = connection.createStatement()) {
            sql.execute(statement);
            return then.get();
        } catch (SQLException e) {
            return Step.waitFor(primary.name() + " does not answer yet: " + e.getMessage(), Duration.ofMillis(500));
        }
    }

    /** The promoted primary made the instance's own again; the standbys set aside to be copied from it. */
    private Step makeOwn(LocalInstance instance, List<LocalMember> members, State state, Recovery recovery) {
        LocalMember primary = members.get(0);
        try (Connection connection = connect(primary, instance, recovery); Statement sql = connection.createStatement()) {
            // Its synchronous standbys are stopped until they are copied again: these commits must not wait for them.
            sql.execute("SET synchronous_commit = local");
            // pgBackRest wrote restore_command and the target to postgresql.auto.conf; pgfleet keeps nothing else there.
            sql.execute("ALTER SYSTEM RESET ALL");
            sql.execute("ALTER ROLE " + LocalInstance.SUPERUSER + " PASSWORD '" + ScramVerifier.ofRandomSecret(instance.superuserPassword()) + "'");
            sql.execute("ALTER ROLE " + LocalInstance.REPLICATION_USER + " WITH LOGIN REPLICATION PASSWORD '"
                    + ScramVerifier.ofRandomSecret(instance.replicationPassword()) + "'");
            sql.execute("SELECT pg_reload_conf()");
            sql.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active");
        } catch (SQLException e) {
            return Step.waitFor(primary.name() + " does not answer yet: " + e.getMessage(), Duration.ofMillis(500));
        }
        // The instance's own parameters again (the standbys are copied with them, and need them as high as the primary's).
        Path keptParameters = instance.dir().resolve("recovery").resolve("own-files").resolve(PARAMETERS);
        if (Files.exists(keptParameters) && !LocalFiles.read(keptParameters).equals(LocalFiles.read(primary.dataDir().resolve(PARAMETERS)))) {
            copy(keptParameters, primary.dataDir().resolve(PARAMETERS), primary.osUser());
            primary.stop();
            Optional<String> complaint = primary.start();
            if (complaint.isPresent()) {
                return Step.failed(primary.name() + " does not start with the instance's parameters: " + complaint.get());
            }
        }
        for (LocalMember standby : members.subList(1, members.size())) {
            if (Files.exists(standby.dataDir())) {
                failover.setAside(instance, standby, "it held the data from before the restore");
            }
        }
        String timeline = timeline(primary);
        LocalFiles.deleteTree(instance.dir().resolve("recovery").resolve("own-files"));
        deleteIfExists(file(instance));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("pointInTime", state.target().toString());
        details.put("lsn", state.lsn());
        if (state.lastTransactionAt() != null) {
            details.put("lastTransactionAt", state.lastTransactionAt().toString());
        }
        details.put("timeline", timeline);
        details.put("primary", primary.name());
        return Step.done("restored to " + state.target() + " (WAL up to LSN " + state.lsn()
                + (state.lastTransactionAt() == null ? "" : ", last transaction committed at " + state.lastTransactionAt())
                + ", timeline " + timeline + "); " + primary.name() + " is the primary, the standbys are copied again from it", details);
    }

    /**
     * As the instance's superuser; after a restore from another instance, until its passwords are set again, with that
     * instance's superuser password.
     */
    private static Connection connect(LocalMember primary, LocalInstance instance, Recovery recovery) throws SQLException {
        try {
            return primary.connect("postgres");
        } catch (SQLException e) {
            if (recovery.sourceSuperuserPassword() == null || !"28P01".equals(e.getSQLState())) {
                throw e;
            }
            return DriverManager.getConnection(LocalMember.driverUrl(primary.port(), "postgres"),
                    LocalInstance.SUPERUSER, recovery.sourceSuperuserPassword());
        }
    }

    private static String timeline(LocalMember primary) {
        try (Connection connection = primary.connect("postgres"); Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery("SELECT timeline_id FROM pg_control_checkpoint()")) {
            row.next();
            return Integer.toString(row.getInt(1));
        } catch (SQLException e) {
            return "unknown";
        }
    }

    private State withPhase(State state, String phase) {
        return new State(state.commandId(), state.target(), phase, state.lsn(), state.lastTransactionAt());
    }

    private void write(LocalInstance instance, State state) {
        try {
            Files.createDirectories(file(instance).getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalFiles.write(file(instance), Json.write(state), "rw-------");
    }

    /** Copies a file keeping it the PostgreSQL account's and private. */
    private static void copy(Path from, Path to, OsUser owner) {
        try {
            if (Files.exists(from)) {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
                owner.own(to);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
