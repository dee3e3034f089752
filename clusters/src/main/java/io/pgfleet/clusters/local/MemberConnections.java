package io.pgfleet.clusters.local;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What touching many members costs, kept small: every look at a member and every step's statements on it (observing a
 * primary every few seconds, for every instance; a provision's steps asking which standbys stream, creating slots and
 * roles, checking readiness) reuse one open superuser connection per member instead of opening one each time (each
 * opening is a SCRAM exchange — thousands of hash rounds on both sides — and a new server process: 25–40 ms on these
 * machines, and a provision of five members opened some thirty), and the size of a member's data directory is walked at
 * most every 5 minutes (10 s while it is being made; a new instance's directory holds some 1300 files: a walk is tens of
 * milliseconds, and at 30 s it was most of what watching 30 idle instances cost; the size is a storage gauge, not
 * something the health check decides on). A connection that fails is closed and the work is tried once more on a new
 * one (a member that restarted ended it), so only statements that may run twice go through here: catalogue queries and
 * idempotent administration (a slot or role created when missing), each in autocommit, one caller per member at a time.
 * One not used for 5 minutes (its instance deleted, say) is closed; one in use is not waited for, so a member slow to
 * answer holds up only the work on that member.
 */
final class MemberConnections {

    /** A member's reusable connection and its last use; one caller at a time holds its lock. */
    private static final class Held {
        final ReentrantLock lock = new ReentrantLock();
        Connection connection;
        volatile long usedAt;
    }

    private static final Duration IDLE = Duration.ofMinutes(5);
    private static final Duration SIZE_AGE = Duration.ofMinutes(5);
    private static final Duration GROWING_SIZE_AGE = Duration.ofSeconds(10);

    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<Path, Count> sizes = new ConcurrentHashMap<>();

    /** A directory's bytes, when they were counted ({@code System.nanoTime()}), and whether its member was complete then. */
    private record Count(long bytes, long at, boolean complete) {
    }

    /** A unit of work on a connection. */
    interface Query<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code query} on the member's held connection (opened when there is none; a held one that fails is
     * replaced once). */
    <T> T query(LocalMember member, Query<T> query) throws SQLException {
        return run(member, null, query);
    }

    /**
     * The same, given up after {@code timeout} at each stage — waiting for the member's connection, opening one, each round
     * trip — so that a look at a member that hangs (frozen, stalled on its storage) costs seconds, not the five minutes the
     * driver's own statements may wait.
     */
    <T> T bounded(LocalMember member, Duration timeout, Query<T> query) throws SQLException {
        return run(member, timeout, query);
    }

    /** Whether the member answers {@code SELECT 1} within {@code timeout} (see {@link #bounded}): the driver's probe. */
    boolean answers(LocalMember member, Duration timeout) {
        try {
            return bounded(member, timeout, connection -> {
                try (Statement sql = connection.createStatement()) {
                    sql.execute("SELECT 1");
                }
                return true;
            });
        } catch (SQLException e) {
            return false;
        }
    }

    private <T> T run(LocalMember member, Duration timeout, Query<T> query) throws SQLException {
        closeIdle();
        String key = member.dataDir() + ":" + member.port();
        Held entry;
        while (true) {
            entry = held.computeIfAbsent(key, k -> new Held());
            lock(entry, member, timeout);
            if (held.get(key) == entry) {
                break;   // it stays in the map while its lock is held (closeIdle removes only what it could lock)
            }
            entry.lock.unlock();   // closed as idle between finding it and taking its lock: the map's next one serves
        }
        try {
            entry.usedAt = System.nanoTime();
            long start = System.nanoTime();
            while (true) {
                boolean fresh = entry.connection == null || entry.connection.isClosed();
                if (fresh) {
                    entry.connection = timeout == null ? member.connect("postgres") : member.connect("postgres", timeout);
                }
                try {
                    if (timeout == null) {
                        return query.run(entry.connection);
                    }
                    entry.connection.setNetworkTimeout(Runnable::run, (int) timeout.toMillis());
                    T result = query.run(entry.connection);
                    entry.connection.setNetworkTimeout(Runnable::run, (int) LocalMember.SOCKET_TIMEOUT.toMillis());
                    return result;
                } catch (SQLException e) {
                    close(entry);
                    // A held connection may have been ended meanwhile (the member restarted): one more try on a new one —
                    // unless a bounded look already waited its time out (the member does not answer: a new one would not either).
                    if (fresh || (timeout != null && System.nanoTime() - start >= timeout.toNanos())) {
                        throw e;
                    }
                }
            }
        } finally {
            entry.lock.unlock();
        }
    }

    private static void lock(Held entry, LocalMember member, Duration timeout) throws SQLException {
        if (timeout == null) {
            entry.lock.lock();
            return;
        }
        try {
            if (!entry.lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SQLException(member.name() + " is being worked on and did not come free within " + timeout.toMillis() + " ms",
                        "57014");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for " + member.name(), "57014", e);
        }
    }

    /** The first column of every row {@code sql} returns, as text, on the member's held connection. */
    List<String> column(LocalMember member, String sql) throws SQLException {
        return query(member, connection -> {
            List<String> values = new ArrayList<>();
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        });
    }

    /**
     * The bytes under a member's data directory, walked again when the last count is older than 5 minutes, or 10 seconds
     * for a member still being made (its directory grows from one look to the next: the count shows a copy's progress,
     * and every step of the job that makes it observes the instance), and at the first look after the member is complete
     * (a count from while it was made — none at all before its initdb — is not what a ready instance holds).
     */
    long sizeOf(Path dataDir, boolean complete) {
        long now = System.nanoTime();
        Count known = sizes.get(dataDir);
        if (known != null && known.complete() == complete && now - known.at() < (complete ? SIZE_AGE : GROWING_SIZE_AGE).toNanos()) {
            return known.bytes();
        }
        long size = LocalFiles.sizeOf(dataDir);
        sizes.put(dataDir, new Count(size, now, complete));
        return size;
    }

    /** Closes connections not used for {@link #IDLE}; one in use (its lock held, a statement under way) is never waited for. */
    private void closeIdle() {
        long now = System.nanoTime();
        held.entrySet().removeIf(e -> {
            Held entry = e.getValue();
            if (now - entry.usedAt <= IDLE.toNanos() || !entry.lock.tryLock()) {
                return false;
            }
            try {
                close(entry);
                return true;
            } finally {
                entry.lock.unlock();
            }
        });
        sizes.entrySet().removeIf(e -> now - e.getValue().at() > IDLE.toNanos());
    }

    private static void close(Held entry) {
        try {
            if (entry.connection != null) {
                entry.connection.close();
            }
        } catch (SQLException e) {
            // already broken
        }
        entry.connection = null;
    }
}
