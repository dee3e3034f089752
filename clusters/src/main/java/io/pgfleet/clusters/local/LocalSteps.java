package io.pgfleet.clusters.local;

import io.pgfleet.clusters.PrimaryMember;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.SyncQuorum;
import io.pgfleet.runtime.credentials.ScramVerifier;
import io.pgfleet.runtime.job.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actions {@link LocalPlanner} chooses, carried out on the members' processes and files ({@link #carryOut}): each
 * does one thing and says what it did (or why it failed) as a {@link Step}. The primary's role is {@link LocalFailover}'s,
 * a switchover's step {@link LocalSwitchover}'s.
 */
final class LocalSteps {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSteps.class);

    private final LocalSettings settings;
    private final MemberConnections connections;
    private final LocalFailover failover;
    private final LocalSwitchover switchover;
    private final WarmPool pool;
    private final PoolerSteps poolers;

    LocalSteps(LocalSettings settings, MemberConnections connections, LocalFailover failover, LocalSwitchover switchover, WarmPool pool) {
        this.settings = settings;
        this.pool = pool;
        this.connections = connections;
        this.failover = failover;
        this.switchover = switchover;
        this.poolers = new PoolerSteps(settings);
    }

    /** Carries out one action on what the look found ({@code to}: a switchover's named target). */
    Step carryOut(LocalPlanner.Action action, LocalObserver.Sight sight, ClusterSpec desired, Optional<String> to) {
        List<LocalMember> members = sight.members();
        if (action instanceof LocalPlanner.Action.AwaitRestore restore) {
            return Step.waitFor(restore.what(), Duration.ofSeconds(2));
        } else if (action instanceof LocalPlanner.Action.StopLeftovers stop) {
            LocalMember member = sight.member(stop.index());
            return stopLeftovers(member, sight.leftovers().get(member.dataDir()));
        } else if (action instanceof LocalPlanner.Action.Role role) {
            return failover.carryOut(role.decision(), sight.instance(), members);
        } else if (action instanceof LocalPlanner.Action.Switchover) {
            return switchover.step(sight.instance(), members, to);
        } else if (action instanceof LocalPlanner.Action.Remove remove) {
            return remove(sight.instance(), sight.member(remove.index()), sight.primary());
        } else if (action instanceof LocalPlanner.Action.MakeData make) {
            return makeData(sight.instance(), sight.member(make.index()), sight.names(), make.first(), desired);
        } else if (action instanceof LocalPlanner.Action.CopyReplicas copy) {
            return copyReplicas(copy.indexes().stream().map(sight::member).toList(), sight.primary(), sight.names());
        } else if (action instanceof LocalPlanner.Action.ResumeReplicas resume) {
            Map<LocalMember, Map<String, String>> files = new LinkedHashMap<>();
            resume.indexes().forEach(index -> files.put(sight.member(index), sight.wanted().get(index)));
            return resumeReplicas(sight.instance(), files, members.size());
        } else if (action instanceof LocalPlanner.Action.IssueCertificate issue) {
            return issueCertificate(sight.member(issue.index()), sight.names());
        } else if (action instanceof LocalPlanner.Action.StartPrimary) {
            return startPrimary(sight.primary());
        } else if (action instanceof LocalPlanner.Action.Resume resume) {
            return resume(sight.instance(), sight.member(resume.index()), sight.wanted().get(resume.index()));
        } else if (action instanceof LocalPlanner.Action.Configure configure) {
            Map<LocalMember, Map<String, String>> files = new LinkedHashMap<>();
            configure.indexes().forEach(index -> files.put(sight.member(index), sight.wanted().get(index)));
            return configure(files, members);
        } else if (action instanceof LocalPlanner.Action.Start start) {
            return start(sight.member(start.index()), members);
        } else if (action instanceof LocalPlanner.Action.Restart restart) {
            return restart(sight.member(restart.index()));
        } else if (action instanceof LocalPlanner.Action.CheckReadiness) {
            return readiness(desired, members);
        } else if (action instanceof LocalPlanner.Action.ConfigurePooler configure) {
            return poolers.configure(sight, configure.kind(), desired);
        } else if (action instanceof LocalPlanner.Action.StartPooler start) {
            return poolers.start(sight.instance(), start.kind());
        } else if (action instanceof LocalPlanner.Action.RemovePooler remove) {
            return poolers.remove(sight.instance(), remove.kind());
        }
        throw new IllegalArgumentException("not an action to carry out here: " + action);
    }

    Step remove(LocalInstance instance, LocalMember extra, LocalMember primary) {
        extra.stop();
        // Its slot would keep WAL on the primary for nobody.
        if (primary.isRunning()) {
            try (Connection connection = primary.connect("postgres");
                 PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                         + "WHERE slot_name = ? AND NOT active")) {
                drop.setString(1, extra.slotName());
                drop.execute();
            } catch (SQLException e) {
                return unreachable(primary, e);
            }
        }
        extra.deleteFiles();
        instance.forget(extra.index());
        return Step.next("member " + extra.name() + " removed");
    }

    /**
     * initdb for the primary into a directory that never served; the marker last. With TLS the member's certificate is
     * issued in the same step (one hand-off less per member; a crash in between leaves a member the planner certifies next).
     */
    Step makeData(LocalInstance instance, LocalMember member, Set<String> certificateNames, boolean first, ClusterSpec desired) {
        return Step.next(made(member, certificateNames, () -> {
            Optional<String> taken = first ? pool.take(desired.storageClass(), instance, member) : Optional.empty();
            if (taken.isPresent()) {
                return "primary " + member.name() + " initialised " + taken.get();
            }
            member.initdb(instance.superuserPassword());
            return "primary " + member.name() + " initialised (initdb)";
        }));
    }

    /**
     * pg_basebackup of the primary for each replica, side by side, each into a directory that never served, its marker
     * and certificate as {@link #makeData}'s. Their slots first, so the primary keeps every WAL segment from a copy's start
     * until it streams. A copy that fails fails the step once the others have ended; those made are kept (marked).
     */
    Step copyReplicas(List<LocalMember> replicas, LocalMember primary, Set<String> certificateNames) {
        try {
            connections.query(primary, connection -> LocalFailover.ensureSlots(connection, replicas));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the replication slots of " + names(replicas) + " on " + primary.name() + ": "
                    + e.getMessage(), e);
        }
        SideBySide.run(replicas, replica -> made(replica, certificateNames, () -> {
            replica.cloneFrom(primary);
            return replica.name();
        }));
        return Step.next((replicas.size() == 1 ? "replica " : "replicas ") + names(replicas) + " copied from the primary (pg_basebackup)");
    }

    /** Empties the member's directory (it never served), makes its data with {@code make} while its certificate is made beside it. */
    private String made(LocalMember member, Set<String> certificateNames, Supplier<String> make) {
        member.wipe();
        // The certificate is made while the data is (an openssl run beside initdb, the pool's rename or pg_basebackup).
        CompletableFuture<LocalTls.Issued> certificate = settings.tlsEnabled() ? settings.tls().makeAhead(member.name(), certificateNames) : null;
        String made = make.get();
        member.markInitialised();
        if (certificate != null) {
            try {
                settings.tls().install(member.dataDir(), certificate.join(), member.osUser());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        return made;
    }

    private static String names(List<LocalMember> members) {
        return String.join(", ", members.stream().map(LocalMember::name).toList());
    }

    /** Stops what a killed predecessor left running on the member's data directory; its data is made again next if it never served. */
    Step stopLeftovers(LocalMember member, List<Leftovers.Leftover> leftovers) {
        LOG.warn("{}: stopping what a stopped predecessor left running on its data directory: {}", member.name(), leftovers);
        if (!Leftovers.stop(leftovers, Duration.ofSeconds(10))) {
            return Step.waitFor("waiting for " + leftovers + " on " + member.name() + " to end", Duration.ofSeconds(2));
        }
        return Step.next("stopped " + leftovers + ", left running on " + member.name() + " by a stopped predecessor");
    }

    Step startPrimary(LocalMember primary) {
        return primary.start().map(complaint -> Step.failed("primary " + primary.name() + " did not start: " + complaint))
                .orElseGet(() -> Step.next("primary " + primary.name() + " started"));
    }

    /** Configures and starts a primary whose data is made, sets up the replication role on it, marks it complete. */
    Step resume(LocalInstance instance, LocalMember member, Map<String, String> files) {
        if (!member.isRunning()) {
            Optional<Step> failed = configureAndStart(member, files);
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        try {
            connections.query(member, connection -> {
                try (Statement sql = connection.createStatement()) {
                    sql.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + LocalInstance.REPLICATION_USER
                            + "') THEN CREATE ROLE " + LocalInstance.REPLICATION_USER + "; END IF; END $$");
                    // The verifier, never the password, goes to the server.
                    sql.execute("ALTER ROLE " + LocalInstance.REPLICATION_USER + " WITH LOGIN REPLICATION PASSWORD '"
                            + ScramVerifier.ofRandomSecret(instance.replicationPassword()) + "'");
                }
                return null;
            });
        } catch (SQLException e) {
            return unreachable(member, e);
        }
        member.markComplete();
        return Step.next("primary " + member.name() + " started");
    }

    /**
     * Configures and starts replicas whose data is made, side by side, and marks each that started complete; a start that
     * fails fails the step once the others have ended.
     */
    Step resumeReplicas(LocalInstance instance, Map<LocalMember, Map<String, String>> replicas, int members) {
        List<Optional<Step>> failed = SideBySide.run(List.copyOf(replicas.keySet()), replica -> {
            if (!replica.isRunning()) {
                Optional<Step> complaint = configureAndStart(replica, replicas.get(replica));
                if (complaint.isPresent()) {
                    return complaint;
                }
            }
            replica.markComplete();
            return Optional.<Step>empty();
        });
        Optional<Step> first = failed.stream().flatMap(Optional::stream).findFirst();
        if (first.isPresent()) {
            return first.get();
        }
        long complete = instance.members().stream().filter(m -> !m.isPrimary() && m.isComplete()).count();
        return Step.next((replicas.size() == 1 ? "replica " : "replicas ") + names(List.copyOf(replicas.keySet())) + " started: "
                + complete + " of " + (members - 1) + " replicas created");
    }

    /** Issues the member's server certificate (signed by the data root's CA); its configuration names it next. */
    Step issueCertificate(LocalMember member, Set<String> names) {
        settings.tls().issue(member.dataDir(), member.name(), names, member.osUser());
        return Step.next("TLS certificate of " + member.name() + " issued");
    }

    /**
     * Writes a new member's configuration and starts the member; empty when it runs. No separate check first (a process
     * per member): a member being made serves nobody yet, and a configuration PostgreSQL refuses fails its start with
     * PostgreSQL's words.
     */
    private static Optional<Step> configureAndStart(LocalMember member, Map<String, String> files) {
        member.writeConfigFiles(files);
        return member.start().map(complaint -> Step.failed("member " + member.name() + " did not start: " + complaint));
    }

    /**
     * Writes changed configuration files, after PostgreSQL has read them and found nothing wrong
     * (otherwise every member keeps its files and the step fails with PostgreSQL's words), reloads,
     * and marks the members whose changed settings only take effect on restart.
     */
    Step configure(Map<LocalMember, Map<String, String>> wanted, List<LocalMember> members) {
        LocalMember primary = members.get(0);
        if (primary.isRunning()) {
            // The standbys' slots exist before a standby is told to stream through its own.
            try {
                connections.query(primary, connection -> LocalFailover.ensureSlots(connection,
                        members.stream().filter(m -> m != primary && m.isComplete()).toList()));
            } catch (SQLException e) {
                return unreachable(primary, e);
            }
        }
        Map<LocalMember, Map<String, String>> before = new LinkedHashMap<>();
        wanted.keySet().forEach(member -> before.put(member, member.configFiles()));
        wanted.forEach(LocalMember::writeConfigFiles);
        for (LocalMember member : wanted.keySet()) {
            Optional<String> refused = member.checkConfiguration();
            if (refused.isPresent()) {
                before.forEach(LocalMember::writeConfigFiles);
                return Step.failed("PostgreSQL refuses the configuration: " + refused.get());
            }
        }
        for (LocalMember member : wanted.keySet()) {
            if (!member.isRunning()) {
                continue; // it starts with the new files
            }
            Map<String, String> old = MemberConfig.settingsOf(before.get(member));
            Map<String, String> now = MemberConfig.settingsOf(wanted.get(member));
            Set<String> changed = new TreeSet<>();
            Stream.concat(old.keySet().stream(), now.keySet().stream()).filter(name -> !Objects.equals(old.get(name), now.get(name)))
                    .forEach(changed::add);
            member.reload();
            Set<String> needRestart = restartOnly(member, changed);
            if (!needRestart.isEmpty()) {
                boolean primaryFirst = LocalPlanner.primaryFirst(old, now, needRestart);
                LocalFiles.write(member.restartMarker(), (primaryFirst ? LocalPlanner.PRIMARY_FIRST : "replicas-first") + "\n"
                        + new TreeSet<>(needRestart), "rw-r--r--");
            }
        }
        return Step.next("configuration of " + wanted.size() + " member" + (wanted.size() == 1 ? "" : "s") + " updated");
    }

    /** Which of the changed settings PostgreSQL applies only on restart (its context is postmaster). */
    private Set<String> restartOnly(LocalMember member, Set<String> changed) {
        if (changed.isEmpty()) {
            return Set.of();
        }
        try {
            return connections.query(member, connection -> {
                Set<String> names = new HashSet<>();
                try (PreparedStatement query = connection.prepareStatement(
                        "SELECT name FROM pg_settings WHERE context = 'postmaster' AND name = ANY (?)")) {
                    query.setArray(1, connection.createArrayOf("text", changed.toArray()));
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            names.add(rows.getString(1));
                        }
                    }
                }
                return names;
            });
        } catch (SQLException e) {
            return changed; // cannot ask: a restart applies everything
        }
    }

    /**
     * Starts a member that does not run. A primary that does not start is no failure while a standby can take over once
     * its delay has passed ({@link FailoverPlanner}).
     */
    Step start(LocalMember member, List<LocalMember> members) {
        Optional<String> complaint = member.start();
        if (complaint.isEmpty()) {
            return Step.next("member " + member.name() + " started");
        }
        boolean standby = members.stream().anyMatch(m -> m != member && m.isComplete());
        return member.isPrimary() && standby
                ? Step.waitFor("member " + member.name() + " did not start: " + complaint.get() + "; a standby takes over if it does not "
                        + "start within " + settings.failoverDelay().toSeconds() + "s", Duration.ofSeconds(2))
                : Step.failed("member " + member.name() + " did not start: " + complaint.get());
    }

    /** Restarts a member that waits for it, then forgets its marker. */
    Step restart(LocalMember member) {
        String reason = LocalFiles.read(member.restartMarker()).orElse("").lines().skip(1).findFirst().orElse("");
        member.stop();
        Optional<String> complaint = member.start();
        if (complaint.isPresent()) {
            return Step.failed("member " + member.name() + " did not restart: " + complaint.get());
        }
        try {
            Files.deleteIfExists(member.restartMarker());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info("restarted {} to apply {}", member.name(), reason);
        return Step.next("member " + member.name() + " restarted to apply " + reason);
    }

    /** Done when the primary's quorum lists every standby and every standby streams. */
    Step readiness(ClusterSpec desired, List<LocalMember> members) {
        LocalMember primary = members.get(0);
        List<String> standbys = members.stream().filter(m -> !m.isPrimary()).map(LocalMember::name).toList();
        String expectedNames = SyncQuorum.standbyNames(desired.minSyncReplicas(), desired.maxSyncReplicas(), standbys);
        try {
            Optional<Step> waiting = connections.query(primary, connection -> {
                Map<String, String> replication = replicationStates(connection);
                long streaming = standbys.stream().filter(name -> "streaming".equals(replication.get(name))).count();
                if (streaming < standbys.size()) {
                    return Optional.of(Step.poll("replica " + streaming + " of " + standbys.size() + " streaming", Duration.ofMillis(500)));
                }
                try (Statement sql = connection.createStatement(); ResultSet names = sql.executeQuery("SHOW synchronous_standby_names")) {
                    names.next();
                    if (!names.getString(1).equals(expectedNames)) {
                        // The files say so (the planner found nothing to write), the server not yet: a predecessor killed
                        // between writing them and its reload left it so, and nothing else would ever reload it.
                        sql.execute("SELECT pg_catalog.pg_reload_conf()");
                        return Optional.of(Step.poll("synchronous_standby_names becoming '" + expectedNames + "'", Duration.ofMillis(500)));
                    }
                }
                return Optional.empty();
            });
            if (waiting.isPresent()) {
                return waiting.get();
            }
        } catch (SQLException e) {
            return unreachable(primary, e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("members", members.size());
        details.put("primary", "127.0.0.1:" + primary.port());
        details.put("primaryMember", primary.name());
        details.put("synchronousStandbyNames", expectedNames);
        return Step.done(members.size() + " of " + members.size() + " members ready", details).with(new PrimaryMember(primary.name()));
    }

    /**
     * A running member that does not take a connection: waited for while it starts up, or cannot take one
     * now (no connection, too many); any other refusal is the server's own verdict on its settings (a
     * library it cannot load, say), which waiting would not change: the step fails with its words.
     */
    static Step unreachable(LocalMember member, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P0") || state.startsWith("53")) {
            return Step.poll("member " + member.name() + " accepting connections (" + e.getMessage() + ")", Duration.ofSeconds(1));
        }
        return Step.failed("member " + member.name() + " runs but refuses connections: " + e.getMessage());
    }

    static Map<String, String> replicationStates(Connection connection) throws SQLException {
        Map<String, String> states = new HashMap<>();
        try (Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT application_name, state FROM pg_stat_replication")) {
            while (rows.next()) {
                states.put(rows.getString(1), rows.getString(2));
            }
        }
        return states;
    }
}
