package io.pgfleet.clusters.local;

import io.micronaut.context.annotation.Requires;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.Observation;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.clusters.SyncQuorum;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import io.pgfleet.clusters.ArchiveLayout;
import io.pgfleet.clusters.Recovery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.slf4j.LoggerFactory;

/**
 * Real PostgreSQL processes on this machine: one member is the primary (member 1 until a failover names another,
 * {@link LocalFailover}; never removed), the others streaming replicas made with {@code pg_basebackup -R}, each with
 * its own application_name and replication slot.
 * Every call does one bounded step and is safe to repeat after a crash: it observes the members
 * (directories, processes, configuration files), asks {@link LocalPlanner} (pure) for the next
 * action, and has {@link LocalSteps} carry out that one action. What exists and runs is adopted; an
 * interrupted member is made again only when its data never served ({@link MemberCreation}),
 * otherwise it is resumed where it stands.
 */
@Singleton
@Requires(property = "pgfleet.driver", value = "local", defaultValue = "local")
public class LocalClusterDriver implements ClusterDriver {

    private final LocalSettings settings;
    private final MemberConnections connections = new MemberConnections();
    private final LocalSteps steps;
    private final LocalFailover failover;
    private final LocalSwitchover switchover;
    private final LocalRecovery recovery;

    public LocalClusterDriver(LocalSettings settings) {
        this.settings = settings;
        this.steps = new LocalSteps(settings, connections);
        this.failover = new LocalFailover(settings, connections, Clock.systemUTC());
        this.switchover = new LocalSwitchover(settings, failover, Clock.systemUTC());
        this.recovery = new LocalRecovery(settings, failover);
        if (!settings.accountPerInstance()) {
            LoggerFactory.getLogger(LocalClusterDriver.class).warn("local driver: single-tenant — every instance runs as the "
                    + "account {} (an account per instance needs the service to run as root, with pgfleet.local.os-user: per-instance); "
                    + "a superuser of one instance can read the others' files", settings.osUser(new InstanceKey("any", "any")).name());
        }
    }

    @Override
    public Step apply(InstanceKey key, ClusterSpec desired) {
        LocalInstance instance = new LocalInstance(key, instanceDir(key, desired.storageClass()), settings);
        instance.ensureCreated();
        Optional<Step> restoring = restoring(instance);
        if (restoring.isPresent()) {
            return restoring.get();
        }
        // observe
        List<LocalMember> recorded = instance.members();
        List<LocalMember> members = desiredMembers(instance, recorded, desired.replicas());
        Optional<Step> leftover = stopLeftovers(recorded, members);
        if (leftover.isPresent()) {
            return leftover.get();
        }
        // The primary's role first: a failover, a promotion to finish, a former primary to bring back (LocalFailover).
        Optional<Step> role = failover.step(instance, members);
        if (role.isPresent()) {
            return role.get();
        }
        Set<String> streaming = streaming(members.get(0));
        Map<Integer, Map<String, String>> wanted = new HashMap<>();
        List<LocalPlanner.MemberState> states = new ArrayList<>();
        Set<String> names = settings.certificateNames(desired.external());
        Instant now = Instant.now();
        for (LocalMember member : members) {
            Optional<String> serial = settings.tlsEnabled() ? settings.tls().validSerial(member.dataDir(), names, now) : Optional.empty();
            wanted.put(member.index(), render(desired, instance, member, members, streaming, serial.orElse(null)));
            Optional<String> restart = LocalFiles.read(member.restartMarker()).map(text -> text.lines().findFirst().orElse(""));
            states.add(new LocalPlanner.MemberState(member.index(), member.disk(), member.isRunning(), member.configFiles(),
                    wanted.get(member.index()), restart, serial.isPresent() || !settings.tlsEnabled()));
        }
        // plan
        LocalPlanner.Action action = LocalPlanner.next(recorded.stream().map(LocalMember::index).toList(), states);
        // act
        LocalMember primary = members.get(0);
        IntFunction<LocalMember> byIndex = index -> members.stream().filter(m -> m.index() == index).findFirst().orElseThrow();
        if (action instanceof LocalPlanner.Action.Remove remove) {
            return steps.remove(instance, recorded.stream().filter(m -> m.index() == remove.index()).findFirst().orElseThrow(), primary);
        } else if (action instanceof LocalPlanner.Action.MakeData make) {
            return steps.makeData(instance, byIndex.apply(make.index()), primary, names);
        } else if (action instanceof LocalPlanner.Action.IssueCertificate issue) {
            return steps.issueCertificate(byIndex.apply(issue.index()), names);
        } else if (action instanceof LocalPlanner.Action.StartPrimary) {
            return steps.startPrimary(primary);
        } else if (action instanceof LocalPlanner.Action.Resume resume) {
            return steps.resume(instance, byIndex.apply(resume.index()), wanted.get(resume.index()), members.size());
        } else if (action instanceof LocalPlanner.Action.Configure configure) {
            Map<LocalMember, Map<String, String>> files = new LinkedHashMap<>();
            configure.indexes().forEach(index -> files.put(byIndex.apply(index), wanted.get(index)));
            return steps.configure(files, members);
        } else if (action instanceof LocalPlanner.Action.Start start) {
            Step started = steps.start(byIndex.apply(start.index()));
            // A primary that does not start is no failure while a standby can take over once its delay has passed.
            boolean standby = members.stream().anyMatch(m -> m != primary && m.isComplete());
            return started.outcome() == Step.Outcome.FAILED && start.index() == primary.index() && standby
                    ? Step.waitFor(started.message() + "; a standby takes over if it does not start within " + settings.failoverDelay().toSeconds()
                            + "s", Duration.ofSeconds(2))
                    : started;
        } else if (action instanceof LocalPlanner.Action.Restart restart) {
            return steps.restart(byIndex.apply(restart.index()));
        }
        return steps.readiness(desired, members);
    }

    @Override
    public Step switchover(InstanceKey key, ClusterSpec desired, String from, Optional<String> to) {
        LocalInstance instance = new LocalInstance(key, instanceDir(key, desired.storageClass()), settings);
        Optional<Step> restoring = restoring(instance);
        if (restoring.isPresent()) {
            return restoring.get();
        }
        List<LocalMember> members = desiredMembers(instance, instance.members(), desired.replicas());
        Optional<Step> leftover = stopLeftovers(instance.members(), members);
        if (leftover.isPresent()) {
            return leftover.get();
        }
        if (!members.get(0).name().equals(from)) {
            return apply(key, desired);   // the role has moved: the others follow the new primary
        }
        return switchover.step(instance, members, to);
    }

    /**
     * Observes (every member's data directory, recorded or desired), plans ({@link LocalPlanner#stopLeftoversFirst}) and
     * acts: stops what a killed predecessor left running on one member; empty when nothing runs. Members all complete
     * and running are not looked at (the processes of the machine are): a data program only ever runs on a member being
     * made, rewound or restored, which is stopped or not complete until it is done.
     */
    private Optional<Step> stopLeftovers(List<LocalMember> recorded, List<LocalMember> desired) {
        Map<Integer, LocalMember> byIndex = new TreeMap<>();
        recorded.forEach(m -> byIndex.put(m.index(), m));
        desired.forEach(m -> byIndex.putIfAbsent(m.index(), m));
        if (byIndex.values().stream().allMatch(m -> m.isComplete() && m.isRunning())) {
            return Optional.empty();
        }
        Map<Path, List<Leftovers.Leftover>> running = Leftovers.on(byIndex.values().stream().map(LocalMember::dataDir).toList());
        Map<Integer, Integer> counts = new HashMap<>();
        byIndex.forEach((index, member) -> counts.put(index, running.getOrDefault(member.dataDir(), List.of()).size()));
        return LocalPlanner.stopLeftoversFirst(counts).map(action -> {
            LocalMember member = byIndex.get(((LocalPlanner.Action.StopLeftovers) action).index());
            return steps.stopLeftovers(member, running.get(member.dataDir()));
        });
    }

    /** While a point-in-time restore is under way, the members are its own: every step waits for it. */
    static Optional<Step> restoring(LocalInstance instance) {
        return LocalRecovery.underWay(instance).map(state -> Step.waitFor("a point-in-time restore to " + state.target() + " is under way ("
                + state.phase() + ")", Duration.ofSeconds(2)));
    }

    @Override
    public Step recover(InstanceKey key, Recovery request) {
        Optional<LocalInstance> found = find(key).filter(i -> !i.members().isEmpty());
        if (found.isEmpty()) {
            return Step.failed("instance " + key + " has no member to restore into");
        }
        return recovery.step(found.get(), found.get().members(), request);
    }

    /**
     * The members the spec asks for, the primary first: the designated primary, then the others by index, then new
     * ones; members beyond the count are removed, never the primary.
     */
    private static List<LocalMember> desiredMembers(LocalInstance instance, List<LocalMember> recorded, int replicas) {
        List<Integer> indexes = new ArrayList<>(List.of(instance.primaryIndex()));
        recorded.stream().map(LocalMember::index).filter(i -> i != instance.primaryIndex()).sorted().forEach(indexes::add);
        int next = indexes.stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        while (indexes.size() < replicas) {
            indexes.add(next++);
        }
        return indexes.subList(0, Math.max(1, replicas)).stream().map(instance::member).toList();
    }

    /** The standbys that stream from the primary now (pg_stat_replication), by application_name. */
    private Set<String> streaming(LocalMember primary) {
        if (!primary.isRunning()) {
            return Set.of();
        }
        try {
            return new HashSet<>(connections.column(primary, "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'"));
        } catch (SQLException e) {
            return Set.of();   // not answering yet: nothing streams from it
        }
    }

    /** The configuration files of a member as the spec renders them. */
    private Map<String, String> render(ClusterSpec desired, LocalInstance instance, LocalMember member, List<LocalMember> members,
                                       Set<String> streaming, String certificateSerial) {
        // Only replicas that exist count: a commit must never wait for a standby still being made; and q follows those that stream.
        List<String> standbys = members.stream().filter(m -> !m.isPrimary() && m.isComplete()).map(LocalMember::name).toList();
        String standbyNames = member.isPrimary() ? SyncQuorum.standbyNames(desired.minSyncReplicas(), desired.maxSyncReplicas(), standbys,
                (int) standbys.stream().filter(streaming::contains).count()) : "";
        LocalMember primary = members.get(0);
        return new MemberConfig(settings.listenAddresses(desired.external()), member.port(), member.socketDir(),
                member.name().replaceFirst("-" + member.index() + "$", ""), standbyNames, desired.parameters(), desired.external(),
                member.isPrimary() ? null : member.primaryConninfo(primary), member.isPrimary() ? null : member.slotName(), certificateSerial,
                desired.archive() ? LocalArchive.command(settings, instance, member) : null, settings.archiveDelay(),
                settings.unresponsiveAfter()).files();
    }

    @Override
    public Observation observe(InstanceKey key) {
        return find(key).map(instance -> LocalObservation.of(instance, settings, connections)).orElseGet(Observation::absent);
    }

    @Override
    public Step delete(InstanceKey key) {
        Optional<LocalInstance> found = find(key);
        if (found.isEmpty()) {
            return Step.done("the instance does not exist", Map.of());
        }
        List<LocalMember> members = new ArrayList<>(found.get().members());
        Collections.reverse(members);
        for (LocalMember member : members) {
            member.stop();
            member.deleteFiles();
        }
        LocalFiles.deleteTree(found.get().dir());
        found.get().osUser().removeIfOwn();
        return Step.done("members stopped and removed", Map.of("members", members.size()));
    }

    @Override
    public Optional<Endpoint> primary(InstanceKey key) {
        // Verified with the data root's CA once the primary has its certificate (its TLS is on from its next reload).
        return find(key).filter(i -> !i.members().isEmpty()).map(i -> {
            LocalMember primary = i.members().get(0);
            Path ca = settings.tlsEnabled() && Files.exists(primary.dataDir().resolve(LocalTls.CERT)) ? settings.caCertificate()
                    : null;
            return new Endpoint("127.0.0.1", primary.port(), LocalInstance.SUPERUSER, i.superuserPassword(), ca);
        });
    }

    @Override
    public Optional<ArchiveLayout> archiveLayout(InstanceKey key) {
        return find(key).filter(i -> !i.members().isEmpty()).map(i -> LocalArchive.layout(settings, i));
    }

    @Override
    public Optional<String> primaryHosts(InstanceKey key) {
        return find(key).filter(i -> !i.members().isEmpty())
                .map(i -> String.join(",", i.members().stream().map(m -> "127.0.0.1:" + m.port()).toList()));
    }

    @Override
    public Map<String, String> tls(InstanceKey key) {
        if (!settings.tlsEnabled()) {
            return Map.of();
        }
        try {
            return Map.of("sslmode", "verify-full", "caCertificate", Files.readString(settings.caCertificate()));
        } catch (IOException e) {
            return Map.of();
        }
    }

    private Path instanceDir(InstanceKey key, String storageClass) {
        return settings.storageClassRoot(storageClass).resolve(key.namespace()).resolve(key.name());
    }

    /** The instance's directory, whatever its storage class. */
    private Optional<LocalInstance> find(InstanceKey key) {
        return settings.storageRoots().stream()
                .map(root -> new LocalInstance(key, root.toAbsolutePath().resolve(key.namespace()).resolve(key.name()), settings))
                .filter(LocalInstance::exists)
                .findFirst();
    }
}
