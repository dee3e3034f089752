package io.pgfleet.runtime.cluster.local;

import io.micronaut.context.annotation.Requires;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.cluster.ClusterDriver;
import io.pgfleet.runtime.cluster.ClusterSpec;
import io.pgfleet.runtime.cluster.Endpoint;
import io.pgfleet.runtime.cluster.Member;
import io.pgfleet.runtime.cluster.Observation;
import io.pgfleet.runtime.cluster.ScramVerifier;
import io.pgfleet.runtime.cluster.Step;
import io.pgfleet.runtime.cluster.SyncQuorum;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real PostgreSQL processes on this machine: member 1 is the primary (never removed), members 2..n
 * are streaming replicas made with {@code pg_basebackup -R}, each with its own application_name.
 * Every call does one bounded step and is safe to repeat after a crash: what exists and runs is
 * adopted; an interrupted member is made again only when its data never served ({@link MemberCreation}),
 * otherwise it is resumed where it stands.
 */
@Singleton
@Requires(property = "pgfleet.driver", value = "local", defaultValue = "local")
public class LocalClusterDriver implements ClusterDriver {

    private static final Logger LOG = LoggerFactory.getLogger(LocalClusterDriver.class);
    /** Settings a hot standby needs at least as high as its primary: lowering them restarts the primary first. */
    private static final Set<String> STANDBY_MINIMUMS = Set.of("max_connections", "max_prepared_transactions",
            "max_locks_per_transaction", "max_wal_senders", "max_worker_processes");
    private static final String PRIMARY_FIRST = "primary-first";

    private final LocalSettings settings;

    public LocalClusterDriver(LocalSettings settings) {
        this.settings = settings;
    }

    @Override
    public Step apply(InstanceKey key, ClusterSpec desired) {
        LocalInstance instance = new LocalInstance(key, instanceDir(key, desired.storageClass()), settings);
        instance.ensureCreated();
        List<LocalMember> recorded = instance.members();
        for (int i = recorded.size() - 1; i >= 0; i--) {
            LocalMember extra = recorded.get(i);
            if (extra.index() > desired.replicas()) {
                extra.stop();
                extra.deleteFiles();
                instance.forget(extra.index());
                return Step.next("member " + extra.name() + " removed");
            }
        }
        List<LocalMember> members = IntStream.rangeClosed(1, desired.replicas()).mapToObj(instance::member).toList();
        LocalMember primary = members.get(0);
        for (LocalMember member : members) {
            if (!member.isComplete()) {
                return member.isPrimary() ? createPrimary(instance, member, desired, members)
                        : createReplica(member, primary, desired, members);
            }
        }
        Optional<Step> configured = applyConfiguration(desired, members);
        if (configured.isPresent()) {
            return configured.get();
        }
        for (LocalMember member : members) {
            if (!member.isRunning()) {
                Optional<String> complaint = member.start();
                return complaint.map(c -> Step.failed("member " + member.name() + " did not start: " + c))
                        .orElseGet(() -> Step.next("member " + member.name() + " started"));
            }
        }
        Optional<Step> restarted = restartPending(members);
        return restarted.orElseGet(() -> readiness(desired, members));
    }

    private Step createPrimary(LocalInstance instance, LocalMember member, ClusterSpec desired, List<LocalMember> members) {
        if (MemberCreation.next(member.disk()) == MemberCreation.Action.MAKE_DATA) {
            member.wipe();
            member.initdb(instance.superuserPassword());
            member.markInitialised();
            return Step.next("primary " + member.name() + " initialised (initdb)");
        }
        if (!member.isRunning()) {
            Optional<Step> failed = configureAndStart(member, desired, members);
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        try (Connection connection = member.connect("postgres"); Statement sql = connection.createStatement()) {
            sql.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + LocalInstance.REPLICATION_USER
                    + "') THEN CREATE ROLE " + LocalInstance.REPLICATION_USER + "; END IF; END $$");
            // The verifier, never the password, goes to the server.
            sql.execute("ALTER ROLE " + LocalInstance.REPLICATION_USER + " WITH LOGIN REPLICATION PASSWORD '"
                    + ScramVerifier.of(instance.replicationPassword()) + "'");
        } catch (SQLException e) {
            return unreachable(member, e);
        }
        member.markComplete();
        return Step.next("primary " + member.name() + " started");
    }

    private Step createReplica(LocalMember member, LocalMember primary, ClusterSpec desired, List<LocalMember> members) {
        if (!primary.isRunning()) {
            Optional<String> complaint = primary.start();
            if (complaint.isPresent()) {
                return Step.failed("primary " + primary.name() + " did not start: " + complaint.get());
            }
        }
        if (MemberCreation.next(member.disk()) == MemberCreation.Action.MAKE_DATA) {
            member.wipe();
            member.cloneFrom(primary);
            member.markInitialised();
            return Step.next("replica " + member.name() + " copied from the primary (pg_basebackup)");
        }
        if (!member.isRunning()) {
            Optional<Step> failed = configureAndStart(member, desired, members);
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        member.markComplete();
        return Step.next("replica " + (member.index() - 1) + " of " + (members.size() - 1) + " created");
    }

    /** Writes a new member's configuration, has PostgreSQL read it, and starts the member; empty when it runs. */
    private Optional<Step> configureAndStart(LocalMember member, ClusterSpec desired, List<LocalMember> members) {
        member.writeConfigFiles(render(desired, member, members));
        Optional<String> refused = member.checkConfiguration();
        if (refused.isPresent()) {
            return Optional.of(Step.failed("PostgreSQL refuses the configuration: " + refused.get()));
        }
        return member.start().map(complaint -> Step.failed("member " + member.name() + " did not start: " + complaint));
    }

    private Map<String, String> render(ClusterSpec desired, LocalMember member, List<LocalMember> members) {
        // Only replicas that exist count: a commit must never wait for a standby still being made.
        List<String> standbys = members.stream().filter(m -> !m.isPrimary() && m.isComplete()).map(LocalMember::name).toList();
        String standbyNames = member.isPrimary()
                ? SyncQuorum.standbyNames(desired.minSyncReplicas(), desired.maxSyncReplicas(), standbys) : "";
        LocalMember primary = members.get(0);
        return new MemberConfig(settings.listenAddresses(desired.external()), member.port(), member.socketDir(),
                members.get(0).name().replaceFirst("-1$", ""), standbyNames, desired.parameters(), desired.external(),
                member.isPrimary() ? null : member.primaryConninfo(primary)).files();
    }

    /**
     * Writes changed configuration files, after PostgreSQL has read them and found nothing wrong
     * (otherwise every member keeps its files and the step fails with PostgreSQL's words), reloads,
     * and marks the members whose changed settings only take effect on restart.
     */
    private Optional<Step> applyConfiguration(ClusterSpec desired, List<LocalMember> members) {
        Map<LocalMember, Map<String, String>> before = new LinkedHashMap<>();
        Map<LocalMember, Map<String, String>> after = new LinkedHashMap<>();
        for (LocalMember member : members) {
            Map<String, String> wanted = render(desired, member, members);
            Map<String, String> current = member.configFiles();
            if (!current.equals(wanted)) {
                before.put(member, current);
                after.put(member, wanted);
            }
        }
        if (after.isEmpty()) {
            return Optional.empty();
        }
        after.forEach(LocalMember::writeConfigFiles);
        for (LocalMember member : after.keySet()) {
            Optional<String> refused = member.checkConfiguration();
            if (refused.isPresent()) {
                before.forEach(LocalMember::writeConfigFiles);
                return Optional.of(Step.failed("PostgreSQL refuses the configuration: " + refused.get()));
            }
        }
        for (LocalMember member : after.keySet()) {
            if (!member.isRunning()) {
                continue; // it starts with the new files
            }
            Map<String, String> old = LocalMember.settingsOf(before.get(member));
            Map<String, String> now = LocalMember.settingsOf(after.get(member));
            Set<String> changed = new TreeSet<>();
            Stream.concat(old.keySet().stream(), now.keySet().stream())
                    .filter(name -> !java.util.Objects.equals(old.get(name), now.get(name))).forEach(changed::add);
            member.reload();
            Set<String> needRestart = restartOnly(member, changed);
            if (!needRestart.isEmpty()) {
                boolean primaryFirst = needRestart.stream().anyMatch(name -> STANDBY_MINIMUMS.contains(name)
                        && lowered(old.get(name), now.get(name)));
                LocalFiles.write(member.restartMarker(), (primaryFirst ? PRIMARY_FIRST : "replicas-first") + "\n" + needRestart,
                        "rw-r--r--");
            }
        }
        return Optional.of(Step.next("configuration of " + after.size() + " member" + (after.size() == 1 ? "" : "s") + " updated"));
    }

    /** Which of the changed settings PostgreSQL applies only on restart (its context is postmaster). */
    private static Set<String> restartOnly(LocalMember member, Set<String> changed) {
        if (changed.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        try (Connection connection = member.connect("postgres");
             PreparedStatement query = connection.prepareStatement("SELECT name FROM pg_settings WHERE context = 'postmaster' AND name = ANY (?)")) {
            Array array = connection.createArrayOf("text", changed.toArray());
            query.setArray(1, array);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            names.addAll(changed); // cannot ask: a restart applies everything
        }
        return names;
    }

    private static boolean lowered(String before, String after) {
        try {
            return before != null && after != null && Long.parseLong(after) < Long.parseLong(before);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Restarts one member that waits for it: replicas first, or the primary first when a standby minimum went down. */
    private Optional<Step> restartPending(List<LocalMember> members) {
        List<LocalMember> pending = members.stream().filter(m -> Files.exists(m.restartMarker())).toList();
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        boolean primaryFirst = pending.stream().anyMatch(m -> LocalFiles.read(m.restartMarker()).orElse("").startsWith(PRIMARY_FIRST));
        LocalMember next = pending.stream()
                .filter(m -> m.isPrimary() == primaryFirst || pending.stream().allMatch(p -> p.isPrimary() != primaryFirst))
                .findFirst().orElseThrow();
        String reason = LocalFiles.read(next.restartMarker()).orElse("").lines().skip(1).findFirst().orElse("");
        next.stop();
        Optional<String> complaint = next.start();
        if (complaint.isPresent()) {
            return Optional.of(Step.failed("member " + next.name() + " did not restart: " + complaint.get()));
        }
        try {
            Files.deleteIfExists(next.restartMarker());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        LOG.info("restarted {} to apply {}", next.name(), reason);
        return Optional.of(Step.next("member " + next.name() + " restarted to apply " + reason));
    }

    private Step readiness(ClusterSpec desired, List<LocalMember> members) {
        LocalMember primary = members.get(0);
        List<String> standbys = members.stream().filter(m -> !m.isPrimary()).map(LocalMember::name).toList();
        String expectedNames = SyncQuorum.standbyNames(desired.minSyncReplicas(), desired.maxSyncReplicas(), standbys);
        try (Connection connection = primary.connect("postgres"); Statement sql = connection.createStatement()) {
            try (ResultSet names = sql.executeQuery("SHOW synchronous_standby_names")) {
                names.next();
                if (!names.getString(1).equals(expectedNames)) {
                    return Step.waitFor("synchronous_standby_names becoming '" + expectedNames + "'", Duration.ofMillis(200));
                }
            }
            Map<String, String> replication = replicationStates(connection);
            long streaming = standbys.stream().filter(name -> "streaming".equals(replication.get(name))).count();
            if (streaming < standbys.size()) {
                return Step.waitFor("replica " + streaming + " of " + standbys.size() + " streaming", Duration.ofMillis(200));
            }
        } catch (SQLException e) {
            return unreachable(primary, e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("members", members.size());
        details.put("primary", "127.0.0.1:" + primary.port());
        details.put("synchronousStandbyNames", expectedNames);
        return Step.done(members.size() + " of " + members.size() + " members ready", details);
    }

    /**
     * A running member that does not take a connection: waited for while it starts up, or cannot take one
     * now (no connection, too many); any other refusal is the server's own verdict on its settings (a
     * library it cannot load, say), which waiting would not change: the step fails with its words.
     */
    private static Step unreachable(LocalMember member, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P0") || state.startsWith("53")) {
            return Step.waitFor("member " + member.name() + " accepting connections (" + e.getMessage() + ")", Duration.ofMillis(500));
        }
        return Step.failed("member " + member.name() + " runs but refuses connections: " + e.getMessage());
    }

    private static Map<String, String> replicationStates(Connection connection) throws SQLException {
        Map<String, String> states = new HashMap<>();
        try (Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT application_name, state FROM pg_stat_replication")) {
            while (rows.next()) {
                states.put(rows.getString(1), rows.getString(2));
            }
        }
        return states;
    }

    @Override
    public Observation observe(InstanceKey key) {
        Optional<LocalInstance> found = find(key);
        if (found.isEmpty()) {
            return Observation.absent();
        }
        List<LocalMember> members = found.get().members();
        if (members.isEmpty()) {
            return new Observation(true, false, List.of(), "no member yet", 0L);
        }
        LocalMember primary = members.get(0);
        Map<String, Object[]> replication = new HashMap<>();
        boolean primaryRunning = primary.isRunning();
        if (primaryRunning) {
            try (Connection connection = primary.connect("postgres"); Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT application_name, state, sync_state, "
                         + "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication")) {
                while (rows.next()) {
                    long lag = rows.getLong(4);
                    replication.put(rows.getString(1), new Object[] {rows.getString(2), rows.getString(3), rows.wasNull() ? null : lag});
                }
            } catch (SQLException e) {
                primaryRunning = false;
            }
        }
        String host = "127.0.0.1";
        List<Member> observed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long used = 0;
        for (LocalMember member : members) {
            used += LocalFiles.sizeOf(member.dataDir());
            if (member.isPrimary()) {
                String state = primaryRunning ? "running" : member.isComplete() ? "stopped" : "creating";
                observed.add(new Member(member.name(), "primary", host, member.port(), state, null, null));
                if (!primaryRunning) {
                    problems.add(member.name() + " is " + state);
                }
                continue;
            }
            Object[] r = replication.get(member.name());
            boolean running = member.isRunning();
            String state = !running ? (member.isComplete() ? "stopped" : "creating") : r == null ? "running" : (String) r[0];
            observed.add(new Member(member.name(), "replica", host, member.port(), state, r == null ? null : (String) r[1],
                    r == null ? null : (Long) r[2]));
            if (!"streaming".equals(state)) {
                problems.add(member.name() + " is " + state);
            }
        }
        int ready = members.size() - problems.size();
        String message = ready + " of " + members.size() + " members ready" + (problems.isEmpty() ? "" : ": " + String.join(", ", problems));
        return new Observation(true, problems.isEmpty(), observed, message, used);
    }

    @Override
    public Step delete(InstanceKey key) {
        Optional<LocalInstance> found = find(key);
        if (found.isEmpty()) {
            return Step.done("the instance does not exist", Map.of());
        }
        List<LocalMember> members = new ArrayList<>(found.get().members());
        java.util.Collections.reverse(members);
        for (LocalMember member : members) {
            member.stop();
            member.deleteFiles();
        }
        LocalFiles.deleteTree(found.get().dir());
        return Step.done("members stopped and removed", Map.of("members", members.size()));
    }

    @Override
    public Optional<Endpoint> primary(InstanceKey key) {
        return find(key).filter(i -> !i.members().isEmpty())
                .map(i -> new Endpoint("127.0.0.1", i.members().get(0).port(), LocalInstance.SUPERUSER, i.superuserPassword()));
    }

    private Path instanceDir(InstanceKey key, String storageClass) {
        return settings.storageClassRoot(storageClass).resolve(key.namespace()).resolve(key.name());
    }

    /** The instance's directory, whatever its storage class. */
    private Optional<LocalInstance> find(InstanceKey key) {
        Set<Path> roots = new HashSet<>(settings.knownStorageClasses().values());
        if (Files.isDirectory(settings.dataRoot())) {
            try (Stream<Path> classes = Files.list(settings.dataRoot())) {
                classes.filter(Files::isDirectory).forEach(roots::add);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return roots.stream()
                .map(root -> new LocalInstance(key, root.toAbsolutePath().resolve(key.namespace()).resolve(key.name()), settings))
                .filter(LocalInstance::exists)
                .findFirst();
    }
}
