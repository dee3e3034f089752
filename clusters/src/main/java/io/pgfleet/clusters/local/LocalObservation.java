package io.pgfleet.clusters.local;

import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import io.pgfleet.clusters.PoolerEndpoint;
import io.pgfleet.runtime.job.Step;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import io.pgfleet.clusters.ArchiveState;
import java.time.Instant;

/**
 * What a local instance looks like right now: its members and their replication (from the primary's
 * {@code pg_stat_replication}), certificates near their end, a restore under way, and its WAL archiving.
 */
final class LocalObservation {

    private LocalObservation() {
    }

    static Observation of(LocalInstance instance, LocalSettings settings, MemberConnections connections, PoolerStats stats) {
        List<LocalMember> members = instance.members();
        if (members.isEmpty()) {
            return new Observation(true, false, List.of(), "no member yet", 0L);
        }
        Optional<String> restoring = LocalObserver.restoring(instance);
        LocalMember primary = members.get(0);
        Map<String, Object[]> replication = new HashMap<>();
        boolean primaryRunning = primary.isRunning();
        boolean primaryAnswers = false;
        Optional<ArchiveState> archive = Optional.empty();
        // With a read-write pool, the databases there are now: one made or restored since its lookup was installed has none.
        LocalPooler readWrite = new LocalPooler(instance, LocalPooler.Kind.RW, settings);
        boolean pooled = readWrite.currentIni().isPresent();
        List<String> databases = new ArrayList<>();
        if (primaryRunning) {
            Instant asked = Instant.now();
            try {
                // Bounded: a primary that hangs makes this look last seconds, and says so, instead of holding up every instance's.
                archive = connections.bounded(primary, settings.probeTimeout(), connection -> {
                    try (Statement sql = connection.createStatement();
                         ResultSet rows = sql.executeQuery("SELECT application_name, state, sync_state, "
                                 + "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication")) {
                        while (rows.next()) {
                            long lag = rows.getLong(4);
                            replication.put(rows.getString(1), new Object[] {rows.getString(2), rows.getString(3), rows.wasNull() ? null : lag});
                        }
                    }
                    if (pooled) {
                        try (Statement sql = connection.createStatement(); ResultSet rows = sql.executeQuery(PoolerLookup.DATABASES)) {
                            while (rows.next()) {
                                databases.add(rows.getString(1));
                            }
                        }
                    }
                    return LocalArchive.state(connection);
                });
                primaryAnswers = true;
            } catch (SQLException e) {
                primaryAnswers = false;
            }
            // Since when it has been silent counts from the first look that found it so (from when that look asked, not from
            // when it gave up), the repair's probes included.
            LocalFailover.mark(LocalFailover.silentMarker(primary), !primaryAnswers && primary.isComplete(), asked);
        }
        String host = "127.0.0.1";
        List<Member> observed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long used = 0;
        for (LocalMember member : members) {
            used += connections.sizeOf(member.dataDir(), member.isComplete());
            if (member.isPrimary()) {
                // A primary whose data directory is gone may still answer for a while from what it holds open: it is lost.
                boolean dataLost = member.isComplete() && !LocalFailover.dataIntact(member);
                String state = dataLost ? "data lost" : primaryAnswers ? "running" : primaryRunning ? "unresponsive"
                        : member.isComplete() ? "stopped" : "creating";
                observed.add(new Member(member.name(), "primary", host, member.port(), state, null, null));
                if (dataLost || !primaryAnswers) {
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
        if (settings.tlsEnabled()) {
            // A certificate near its end makes the instance need a repair, which issues it again (LocalPlanner).
            Instant now = Instant.now();
            members.stream().filter(m -> m.isComplete() && m.isRunning())
                    .forEach(m -> settings.tls().renewalDue(m.name(), m.dataDir(), now).ifPresent(problems::add));
        }
        List<PoolerEndpoint> poolers = new ArrayList<>();
        for (LocalPooler.Kind kind : LocalPooler.Kind.values()) {
            LocalPooler pool = kind == LocalPooler.Kind.RW ? readWrite : new LocalPooler(instance, kind, settings);
            OptionalInt recorded = pool.recordedPort();
            if (recorded.isEmpty()) {
                continue;
            }
            // Configured (its file written) and not running: down. Not configured yet: nothing to lead to so far.
            String state = pool.isRunning() ? "running" : pool.currentIni().isPresent() ? "stopped" : "waiting";
            int port = recorded.getAsInt();
            poolers.add(new PoolerEndpoint(kind.label(), host, port, state, state.equals("running") ? stats.of(pool, port).orElse(null) : null));
            if (state.equals("stopped")) {
                problems.add("pooler " + kind.label() + " is stopped");
            }
            if (kind == LocalPooler.Kind.RW && primaryAnswers && !databases.isEmpty() && !databases.equals(PoolerLookup.installedIn(pool.dir()))) {
                problems.add("pooler rw cannot look clients up in a database made or restored since it was configured");
            }
        }
        restoring.ifPresent(problems::add);
        String message = ready + " of " + members.size() + " members ready" + (problems.isEmpty() ? "" : ": " + String.join(", ", problems));
        String behind = archive.map(a -> a.problem(Instant.now(), settings.archiveDelay())).orElse(null);
        return new Observation(true, problems.isEmpty(), observed, message + (behind == null ? "" : "; " + behind), used, archive.orElse(null),
                behind, poolers);
    }
}
