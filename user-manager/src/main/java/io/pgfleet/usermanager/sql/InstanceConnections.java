package io.pgfleet.usermanager.sql;

import io.pgfleet.clusters.Endpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Superuser connections to an instance's databases, kept open for a short while after use. Setting
 * up a connection costs a backend start and a SCRAM exchange (about 25 ms here), and a plan or a
 * catalog read touches every database of the instance, so a re-apply soon after an apply reuses what
 * the apply opened. An idle connection is closed after {@code idle} and checked before it is reused;
 * at most {@code maxIdle} are kept in all. A connection is keyed by the whole endpoint, so a changed
 * address or password never reuses an old one.
 *
 * <p>An idle connection holds a database open: {@code DROP DATABASE} without {@code FORCE} by
 * someone else waits at most {@code idle} for it to go.
 */
public class InstanceConnections implements AutoCloseable {

    private record Key(Endpoint endpoint, String database) {
    }

    private record Idle(Connection connection, long since) {
    }

    private final Duration idle;
    private final int maxIdle;
    private final Map<Key, Deque<Idle>> idleByKey = new HashMap<>();
    private int idleCount;

    public InstanceConnections(Duration idle, int maxIdle) {
        this.idle = idle;
        this.maxIdle = maxIdle;
    }

    /** Connections that are never kept: each {@link #open} connects, each {@link Lease#close} disconnects. */
    public static InstanceConnections unpooled() {
        return new InstanceConnections(Duration.ZERO, 0);
    }

    /** A superuser connection to a database of the instance, in auto-commit mode. */
    public Lease open(Endpoint endpoint, String database) throws SQLException {
        Key key = new Key(endpoint, database);
        Idle kept;
        while ((kept = take(key)) != null) {
            if (kept.connection().isValid(2)) {
                return new Lease(key, kept.connection());
            }
            closeQuietly(kept.connection());
        }
        return new Lease(key, connect(endpoint, database));
    }

    /** Closes the connections idle for longer than the idle time. */
    public void closeExpired() {
        long now = System.nanoTime();
        List<Connection> expired = new ArrayList<>();
        synchronized (this) {
            for (Deque<Idle> queue : idleByKey.values()) {
                while (!queue.isEmpty() && now - queue.peekFirst().since() >= idle.toNanos()) {
                    expired.add(queue.pollFirst().connection());
                    idleCount--;
                }
            }
            idleByKey.values().removeIf(Deque::isEmpty);
        }
        expired.forEach(InstanceConnections::closeQuietly);
    }

    @Override
    public void close() {
        List<Connection> all = new ArrayList<>();
        synchronized (this) {
            idleByKey.values().forEach(queue -> queue.forEach(kept -> all.add(kept.connection())));
            idleByKey.clear();
            idleCount = 0;
        }
        all.forEach(InstanceConnections::closeQuietly);
    }

    private synchronized Idle take(Key key) {
        Deque<Idle> queue = idleByKey.get(key);
        Idle kept = queue == null ? null : queue.pollLast();
        if (kept != null) {
            idleCount--;
        }
        return kept;
    }

    private void giveBack(Key key, Connection connection) {
        synchronized (this) {
            if (idleCount < maxIdle && !idle.isZero()) {
                idleByKey.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(new Idle(connection, System.nanoTime()));
                idleCount++;
                return;
            }
        }
        closeQuietly(connection);
    }

    static Connection connect(Endpoint endpoint, String database) throws SQLException {
        Properties properties = endpoint.sessionProperties();
        properties.setProperty("assumeMinServerVersion", "15");
        properties.setProperty("ApplicationName", "pgfleet-user-manager");
        return DriverManager.getConnection(endpoint.sessionUrl(database), properties);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // it is being thrown away
        }
    }

    /** One use of a connection; closing it gives it back, or closes it after a failure ({@link #discard}). */
    public final class Lease implements AutoCloseable {

        private final Key key;
        private final Connection connection;
        private boolean discarded;

        private Lease(Key key, Connection connection) {
            this.key = key;
            this.connection = connection;
        }

        public Connection connection() {
            return connection;
        }

        /** The connection is not given back (a statement failed, a transaction may be open). */
        public void discard() {
            discarded = true;
        }

        @Override
        public void close() {
            boolean reusable = !discarded;
            try {
                reusable = reusable && !connection.isClosed() && connection.getAutoCommit();
            } catch (SQLException e) {
                reusable = false;
            }
            if (reusable) {
                giveBack(key, connection);
            } else {
                closeQuietly(connection);
            }
        }
    }
}
