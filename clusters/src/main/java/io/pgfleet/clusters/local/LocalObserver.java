package io.pgfleet.clusters.local;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.SyncQuorum;
import io.pgfleet.events.postgres.Pooler;
import java.nio.file.Files;
import java.util.EnumMap;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The local driver's observation: looks at an instance's members (directories, processes, configuration files, the
 * primary's replication, certificates, what a killed predecessor left running, the primary's role) and says what it
 * saw twice — as plain values for {@link LocalPlanner} ({@link LocalPlanner.Seen}), and as the members and rendered
 * files {@link LocalSteps} acts on ({@link Sight}). It decides nothing.
 */
final class LocalObserver {

    private final LocalSettings settings;
    private final MemberConnections connections;
    private final LocalFailover failover;

    LocalObserver(LocalSettings settings, MemberConnections connections, LocalFailover failover) {
        this.settings = settings;
        this.connections = connections;
        this.failover = failover;
    }

    /**
     * What one look found.
     *
     * @param seen      the same, as the planner takes it
     * @param instance  the instance
     * @param recorded  every member it has now
     * @param members   the desired members, the primary first
     * @param wanted    each desired member's configuration files as the spec renders them, by index
     * @param names     the names the members' certificates carry
     * @param leftovers the programs a killed predecessor left running, by data directory
     * @param poolers   each pool's configuration as the spec renders it and the member it leads to, where one serves
     */
    record Sight(LocalPlanner.Seen seen, LocalInstance instance, List<LocalMember> recorded, List<LocalMember> members,
                 Map<Integer, Map<String, String>> wanted, Set<String> names, Map<Path, List<Leftovers.Leftover>> leftovers,
                 Map<LocalPooler.Kind, Rendered> poolers) {

        LocalMember primary() {
            return members.get(0);
        }

        /** The desired or recorded member with that index. */
        LocalMember member(int index) {
            return members.stream().filter(m -> m.index() == index).findFirst()
                    .or(() -> recorded.stream().filter(m -> m.index() == index).findFirst()).orElseThrow();
        }
    }

    /** A pool's {@code pgbouncer.ini} as the spec renders it, and the member it leads to. */
    record Rendered(String ini, LocalMember target) {
    }

    /** How much of the instance a step looks at. */
    enum Scope {
        /** Everything a reconcile decides on. */
        RECONCILE,
        /**
         * A switchover's step (polled every 50–100 ms while writes pause): the restore, the leftovers and who is primary
         * only; the switchover looks at the rest itself, and a probe of the old primary while it shuts down would mark it
         * silent.
         */
        SWITCHOVER
    }

    Sight observe(LocalInstance instance, ClusterSpec desired, Scope scope) {
        Optional<String> restoring = restoring(instance);
        if (restoring.isPresent()) {
            return new Sight(LocalPlanner.Seen.restoring(restoring.get()), instance, List.of(), List.of(), Map.of(), Set.of(), Map.of(), Map.of());
        }
        List<LocalMember> recorded = instance.members();
        List<LocalMember> members = desiredMembers(instance, recorded, desired.replicas());
        Map<Integer, LocalMember> all = new TreeMap<>();
        recorded.forEach(m -> all.put(m.index(), m));
        members.forEach(m -> all.putIfAbsent(m.index(), m));
        // Members all complete and running are not looked at (the processes of the machine are): a data program only ever
        // runs on a member being made, rewound or restored, which is stopped or not complete until it is done.
        Map<Path, List<Leftovers.Leftover>> running = all.values().stream().allMatch(m -> m.isComplete() && m.isRunning()) ? Map.of()
                : Leftovers.on(all.values().stream().map(LocalMember::dataDir).toList());
        Map<Integer, Integer> leftovers = new HashMap<>();
        all.forEach((index, member) -> leftovers.put(index, running.getOrDefault(member.dataDir(), List.of()).size()));
        List<Integer> indexes = recorded.stream().map(LocalMember::index).toList();
        if (scope == Scope.SWITCHOVER) {
            return new Sight(new LocalPlanner.Seen(Optional.empty(), leftovers, Optional.empty(), indexes, List.of(), List.of()), instance, recorded,
                    members, Map.of(), Set.of(), running, Map.of());
        }
        Optional<FailoverPlanner.Situation> role = failover.observe(members);
        // A primary that did not answer the role's bounded probe is not asked again here: a frozen one would hold this look.
        boolean answers = role.map(FailoverPlanner.Situation::primaryAnswers).orElse(true);
        Set<String> streaming = answers ? streaming(members.get(0)) : Set.of();
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
        Map<LocalPooler.Kind, Rendered> rendered = new EnumMap<>(LocalPooler.Kind.class);
        List<LocalPlanner.PoolerState> poolers = poolers(instance, desired, members, answers, rendered, now);
        return new Sight(new LocalPlanner.Seen(Optional.empty(), leftovers, role, indexes, states, poolers), instance, recorded, members, wanted,
                names, running, rendered);
    }

    /**
     * Each pool as it is and as the spec renders it ({@code rendered} gets the latter): the read-write one leads to the
     * primary once it serves, the read-only one to the first standby that serves. The read-write pool is ready when its
     * certificates serve and the lookup was installed in every database the primary has now (recorded by OID,
     * {@link PoolerLookup#installedIn}: a database made or restored since is a new one).
     */
    private List<LocalPlanner.PoolerState> poolers(LocalInstance instance, ClusterSpec desired, List<LocalMember> members, boolean answers,
                                                   Map<LocalPooler.Kind, Rendered> rendered, Instant now) {
        List<LocalPlanner.PoolerState> states = new ArrayList<>();
        Pooler pooler = desired.pooler();
        for (LocalPooler.Kind kind : LocalPooler.Kind.values()) {
            LocalPooler pool = new LocalPooler(instance, kind, settings);
            boolean wanted = pooler.enabled() && (kind == LocalPooler.Kind.RW || pooler.readOnly());
            boolean running = pool.isRunning();
            if (!wanted) {
                states.add(new LocalPlanner.PoolerState(kind, false, pool.exists(), running, Optional.empty(), Optional.empty(), false));
                continue;
            }
            Optional<LocalMember> target = kind == LocalPooler.Kind.RW
                    ? Optional.of(members.get(0)).filter(m -> answers && serves(m))
                    : members.stream().skip(1).filter(LocalObserver::serves).findFirst();
            Optional<String> ini = target.map(m -> new PoolerConfig(pool.dir(), settings.listenAddresses(desired.external()), pool.port(), m.port(),
                    pooler, desired.external(), settings.caCertificate()).text());
            ini.ifPresent(text -> rendered.put(kind, new Rendered(text, target.get())));
            boolean certified = settings.tlsEnabled() && settings.tls().validSerial(pool.dir(), settings.certificateNames(desired.external()), now).isPresent()
                    && Files.exists(pool.dir().resolve(PoolerConfig.CLIENT_KEY)) && Files.exists(pool.dir().resolve(PoolerConfig.USERS_FILE));
            boolean ready = certified && (kind == LocalPooler.Kind.RO || target.map(m -> lookupCurrent(pool, m)).orElse(false));
            states.add(new LocalPlanner.PoolerState(kind, true, pool.exists(), running, pool.currentIni(), ini, ready));
        }
        return states;
    }

    private static boolean serves(LocalMember member) {
        return member.isComplete() && member.isRunning();
    }

    /** Whether the lookup was installed in every database the primary has now. */
    private boolean lookupCurrent(LocalPooler pool, LocalMember primary) {
        try {
            return PoolerLookup.installedIn(pool.dir()).equals(connections.column(primary, PoolerLookup.DATABASES));
        } catch (SQLException e) {
            return true;   // not answering now: nothing to install into either; looked at again at the next step
        }
    }

    /** What a point-in-time restore under way is doing: while there is one, the members are its own. */
    static Optional<String> restoring(LocalInstance instance) {
        return LocalRecovery.underWay(instance).map(state -> "a point-in-time restore to " + state.target() + " is under way ("
                + state.phase() + ")");
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
                settings.unresponsiveAfter(), desired.pooler().enabled() && settings.tlsEnabled() ? settings.caCertificate() : null).files();
    }
}
