package io.pgfleet.clusters.local;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The order of the local driver's steps, as a pure function of what the driver observed ({@link Seen}): wait while a
 * point-in-time restore owns the members, stop what a killed
 * predecessor left running on a member's data ({@link #stopLeftoversFirst}, before even a failover), settle the primary's
 * role ({@link FailoverPlanner}: a failover, a promotion to finish, a former primary to rejoin, a standby to copy again), remove
 * members beyond the desired count (the last first), create the members (the primary first, each
 * in two steps: make its data, then resume it; a member without a certificate that serves gets one before it is
 * resumed or configured), bring every member's configuration to what the
 * spec renders, start what does not run, restart what waits for a restart (replicas first, or the
 * primary first when a hot-standby minimum went down), and finally check readiness. The driver
 * carries out the one action this returns and comes back.
 */
final class LocalPlanner {

    /** A restart marker's first line when the primary must restart before its replicas. */
    static final String PRIMARY_FIRST = "primary-first";

    /**
     * What the driver saw of one desired member.
     *
     * @param index          1 for the primary, 2.. for replicas
     * @param disk           what its directory shows
     * @param running        whether its postmaster runs
     * @param currentFiles   its configuration files as they are
     * @param wantedFiles    its configuration files as the spec renders them
     * @param restartPending the first line of its restart marker, when a changed setting waits for a restart
     * @param certified      whether its data directory holds a server certificate that serves (signed by the data root's
     *                       CA, naming the member's addresses, not about to expire)
     */
    record MemberState(int index, MemberCreation.Disk disk, boolean running, Map<String, String> currentFiles,
                       Map<String, String> wantedFiles, Optional<String> restartPending, boolean certified) {
    }

    /**
     * Everything the driver saw that the planner decides on, as plain values.
     *
     * @param restoring what a point-in-time restore under way is doing (target and phase); while there is one, nothing else
     *                  is looked at: the members are its own
     * @param leftovers each member's index (recorded or desired) with how many programs a killed predecessor left running
     *                  on its data directory
     * @param role      what {@link FailoverPlanner} decides on, once the primary's data is complete; empty while it is being
     *                  made, or when not looked at (during a switchover's steps)
     * @param recorded  indexes of every member the instance has now
     * @param members   the desired members, the primary first; empty when not looked at
     */
    record Seen(Optional<String> restoring, Map<Integer, Integer> leftovers, Optional<FailoverPlanner.Situation> role, List<Integer> recorded,
                List<MemberState> members, List<PoolerState> poolers) {

        /** Seen while a restore is under way: nothing else. */
        static Seen restoring(String what) {
            return new Seen(Optional.of(what), Map.of(), Optional.empty(), List.of(), List.of(), List.of());
        }
    }

    /**
     * What the driver saw of one of the instance's pools ({@link LocalPooler}).
     *
     * @param kind     read-write or read-only
     * @param wanted   the document asks for it
     * @param present  anything of it is on disk
     * @param running  its PgBouncer runs
     * @param current  its configuration as it is
     * @param rendered its configuration as the spec renders it, leading to the member it should lead to; empty while no
     *                 such member serves (the primary being made, no standby yet): nothing to lead to
     * @param ready    its certificates are in place and, for the read-write pool, the lookup is in every database
     */
    record PoolerState(LocalPooler.Kind kind, boolean wanted, boolean present, boolean running, Optional<String> current,
                       Optional<String> rendered, boolean ready) {
    }

    /** The one thing to do next. */
    sealed interface Action {
        /** Wait: a point-in-time restore owns the members. */
        record AwaitRestore(String what) implements Action {
        }

        /** Carry out what {@link FailoverPlanner} decided about the primary's role. */
        record Role(FailoverPlanner.Decision decision) implements Action {
        }

        /** Take the switchover's next step ({@link LocalSwitchover}). */
        record Switchover() implements Action {
        }

        /** The switchover's old primary is no longer the primary: reconcile the members as {@link #next(Seen)} plans. */
        record Reconcile() implements Action {
        }

        /** Stop what a killed predecessor left running on a member's data directory ({@link Leftovers}). */
        record StopLeftovers(int index) implements Action {
        }

        /** Stop a member beyond the desired count and remove its files. */
        record Remove(int index) implements Action {
        }

        /**
         * Empty a member's directory (it never served) and make its data: initdb, or a base backup of the primary.
         *
         * @param first the instance's first data: the primary, while no member of the instance holds data (it may take a
         *              directory the warm pool made ahead, and the password that came with it)
         */
        record MakeData(int index, boolean first) implements Action {

            MakeData(int index) {
                this(index, false);
            }
        }

        /**
         * Make the data of these replicas side by side: a base backup of the running primary each, into a directory that
         * never served (at most {@link #COPIES_AT_ONCE}: each copy holds two of the primary's WAL senders).
         */
        record CopyReplicas(List<Integer> indexes) implements Action {

            public CopyReplicas {
                indexes = List.copyOf(indexes);
            }
        }

        /** Configure and start these replicas, whose data is made and certified, side by side; mark each complete. */
        record ResumeReplicas(List<Integer> indexes) implements Action {

            public ResumeReplicas {
                indexes = List.copyOf(indexes);
            }
        }

        /** Issue the member's server certificate (its data exists, it has none that serves). */
        record IssueCertificate(int index) implements Action {
        }

        /** Start the primary: a replica is being made from it. */
        record StartPrimary() implements Action {
        }

        /** Configure and start the primary whose data is made, finish it (the replication role), mark it complete. */
        record Resume(int index) implements Action {
        }

        /** Write the rendered configuration of these members (checked by PostgreSQL first), reload, mark restarts. */
        record Configure(List<Integer> indexes) implements Action {
        }

        /** Start a member that does not run. */
        record Start(int index) implements Action {
        }

        /** Restart a member so that a changed setting takes effect. */
        record Restart(int index) implements Action {
        }

        /** Every member is there, configured and running: check the quorum and the streaming. */
        record CheckReadiness() implements Action {
        }

        /**
         * Bring a pool to what the spec renders: its directory and certificates, the lookup in every database (the
         * read-write pool), its configuration; a running PgBouncer reloads it (a new primary is led to this way).
         */
        record ConfigurePooler(LocalPooler.Kind kind) implements Action {
        }

        /** Start a configured pool's PgBouncer. */
        record StartPooler(LocalPooler.Kind kind) implements Action {
        }

        /** Stop a pool the document no longer asks for and remove its files. */
        record RemovePooler(LocalPooler.Kind kind) implements Action {
        }
    }

    private LocalPlanner() {
    }

    /** The next action of a reconcile. */
    static Action next(Seen seen) {
        Optional<Action> first = first(seen);
        if (first.isPresent()) {
            return first.get();
        }
        // A pool follows the primary as soon as it serves: before a former primary rejoins or a standby is copied again.
        Optional<Action> pooler = pooler(seen.poolers());
        if (pooler.isPresent()) {
            return pooler.get();
        }
        Optional<FailoverPlanner.Decision> role = seen.role().map(FailoverPlanner::next).filter(d -> !(d instanceof FailoverPlanner.Decision.Proceed));
        if (role.isPresent()) {
            return new Action.Role(role.get());
        }
        return next(seen.recorded(), seen.members());
    }

    /**
     * The next action of a switchover away from a primary: its own step while that member is still the primary
     * ({@code fromIsPrimary}), a reconcile once the role has moved (the others follow the new primary).
     */
    static Action switchover(Seen seen, boolean fromIsPrimary) {
        return first(seen).orElseGet(() -> fromIsPrimary ? new Action.Switchover() : new Action.Reconcile());
    }

    /** What comes before anything else: a restore under way, then what a killed predecessor left running. */
    private static Optional<Action> first(Seen seen) {
        if (seen.restoring().isPresent()) {
            return Optional.of(new Action.AwaitRestore(seen.restoring().get()));
        }
        return stopLeftoversFirst(seen.leftovers());
    }

    /** How many replicas are copied side by side at most. */
    static final int COPIES_AT_ONCE = 4;

    /** The replicas (every desired member but the primary) whose creation is at {@code step}, in order. */
    private static Stream<MemberState> replicas(List<MemberState> desired, MemberCreation.Action step) {
        return desired.stream().skip(1).filter(m -> MemberCreation.next(m.disk()) == step);
    }

    /**
     * The next action among the members.
     *
     * @param recorded indexes of every member the instance has now
     * @param desired  the desired members, the primary first
     */
    static Action next(List<Integer> recorded, List<MemberState> desired) {
        List<Integer> wanted = desired.stream().map(MemberState::index).toList();
        Optional<Integer> extra = recorded.stream().filter(i -> !wanted.contains(i)).max(Comparator.naturalOrder());
        if (extra.isPresent()) {
            return new Action.Remove(extra.get());
        }
        MemberState primary = desired.get(0);
        for (MemberState member : desired) {
            MemberCreation.Action creation = MemberCreation.next(member.disk());
            if (creation == MemberCreation.Action.NONE) {
                continue;
            }
            if (member != primary && !primary.running()) {
                return new Action.StartPrimary();
            }
            if (creation == MemberCreation.Action.MAKE_DATA) {
                if (member != primary) {
                    return new Action.CopyReplicas(replicas(desired, MemberCreation.Action.MAKE_DATA).limit(COPIES_AT_ONCE).map(MemberState::index).toList());
                }
                return new Action.MakeData(member.index(), desired.stream().noneMatch(m -> m.disk().initialised() || m.disk().served()));
            }
            if (!member.certified()) {
                return new Action.IssueCertificate(member.index());
            }
            return member == primary ? new Action.Resume(member.index())
                    : new Action.ResumeReplicas(replicas(desired, MemberCreation.Action.RESUME).filter(MemberState::certified).map(MemberState::index).toList());
        }
        // A member made before TLS, or whose certificate is about to expire: a new one first, then its configuration names it.
        Optional<MemberState> uncertified = desired.stream().filter(m -> !m.certified()).findFirst();
        if (uncertified.isPresent()) {
            return new Action.IssueCertificate(uncertified.get().index());
        }
        List<Integer> changed = desired.stream().filter(m -> !m.currentFiles().equals(m.wantedFiles())).map(MemberState::index).toList();
        if (!changed.isEmpty()) {
            return new Action.Configure(changed);
        }
        Optional<MemberState> stopped = desired.stream().filter(m -> !m.running()).findFirst();
        if (stopped.isPresent()) {
            return new Action.Start(stopped.get().index());
        }
        return nextRestart(desired).<Action>map(Action.Restart::new).orElseGet(Action.CheckReadiness::new);
    }

    /**
     * The next action on the pools: remove one the document no longer asks for; configure one whose files are not what the
     * spec renders (a new primary included) or that is not ready; start one that does not run. A pool with nothing to lead
     * to yet waits.
     */
    static Optional<Action> pooler(List<PoolerState> poolers) {
        for (PoolerState pool : poolers) {
            if (!pool.wanted()) {
                if (pool.present() || pool.running()) {
                    return Optional.of(new Action.RemovePooler(pool.kind()));
                }
                continue;
            }
            if (pool.rendered().isEmpty()) {
                continue;
            }
            if (!pool.ready() || !pool.current().equals(pool.rendered())) {
                return Optional.of(new Action.ConfigurePooler(pool.kind()));
            }
            if (!pool.running()) {
                return Optional.of(new Action.StartPooler(pool.kind()));
            }
        }
        return Optional.empty();
    }

    /**
     * Before anything else (a failover, making data, a rewind): the first member, by index, on whose data directory a
     * program a killed predecessor started still runs. Nothing is done on a member while one does.
     *
     * @param leftovers the members' indexes with how many such programs run on each
     */
    static Optional<Action> stopLeftoversFirst(Map<Integer, Integer> leftovers) {
        return leftovers.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).min(Comparator.naturalOrder())
                .map(Action.StopLeftovers::new);
    }

    /** Of the members (the primary first) waiting for a restart: replicas first, or the primary first when a marker says so. */
    static Optional<Integer> nextRestart(List<MemberState> members) {
        MemberState primary = members.get(0);
        List<MemberState> pending = members.stream().filter(m -> m.restartPending().isPresent()).toList();
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        boolean primaryFirst = pending.stream().anyMatch(m -> m.restartPending().get().startsWith(PRIMARY_FIRST));
        return pending.stream().filter(m -> (m == primary) == primaryFirst).findFirst().or(() -> pending.stream().findFirst())
                .map(MemberState::index);
    }

    /** Whether lowering these settings means the primary must restart before its replicas (hot-standby minimums). */
    static boolean primaryFirst(Map<String, String> before, Map<String, String> after, Set<String> needRestart) {
        return needRestart.stream().anyMatch(name -> STANDBY_MINIMUMS.contains(name) && lowered(before.get(name), after.get(name)));
    }

    /** Settings a hot standby needs at least as high as its primary. */
    static final Set<String> STANDBY_MINIMUMS = Set.of("max_connections", "max_prepared_transactions",
            "max_locks_per_transaction", "max_wal_senders", "max_worker_processes");

    private static boolean lowered(String before, String after) {
        try {
            return before != null && after != null && Long.parseLong(after) < Long.parseLong(before);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
