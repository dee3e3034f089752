package io.pgfleet.runtime.db;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Listens on one connection of the state database for what the service's tables announce when a transaction
 * commits ({@code V4__wake_workers.sql}): a takeable job ({@code <schema>.job}) wakes the job workers, a new status
 * event ({@code <schema>.outbox}) the relay. While it listens, no thread needs to poll the database to find new
 * work. When the connection is lost it connects again, backing off up to 30s, and wakes everyone once it listens
 * again: what was announced meanwhile is found by looking.
 */
@Context
public class StateNotifications {

    private static final Logger LOG = LoggerFactory.getLogger(StateNotifications.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final Map<String, Wakeup> channels;
    private final Wakeup jobs = new Wakeup();
    private final Wakeup outbox = new Wakeup();
    private volatile boolean listening;
    private final AtomicLong received = new AtomicLong();
    private Loop loop;

    public StateNotifications(DataSource dataSource, @Value("${pgfleet.db.schema}") String schema) {
        this.dataSource = DelegatingDataSource.unwrapDataSource(dataSource);
        this.channels = Map.of(schema + ".job", jobs, schema + ".outbox", outbox);
    }

    /** Signalled when a job may have become takeable. */
    public Wakeup jobs() {
        return jobs;
    }

    /** Signalled when a status event was written. */
    public Wakeup outbox() {
        return outbox;
    }

    /** Whether notifications arrive now (otherwise only polling finds work). */
    public boolean listening() {
        return listening;
    }

    /** How many announcements arrived since the start. */
    public long received() {
        return received.get();
    }

    @PostConstruct
    void start() {
        loop = Loop.start("state-notifications", this::run);
    }

    @PreDestroy
    void stop() throws InterruptedException {
        loop.stop(Duration.ofSeconds(5));
    }

    private void run(Loop loop) {
        Duration backoff = Duration.ofMillis(250);
        while (loop.running()) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    for (String channel : channels.keySet()) {
                        statement.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
                    }
                }
                backoff = Duration.ofMillis(250);
                wakeAll();
                listening = true;
                PGConnection notifications = connection.unwrap(PGConnection.class);
                while (loop.running()) {
                    // Blocks on the socket for up to a second (no query is sent), so a stop is seen soon.
                    PGNotification[] arrived = notifications.getNotifications(1000);
                    if (arrived != null) {
                        for (PGNotification notification : arrived) {
                            received.incrementAndGet();
                            Wakeup wakeup = channels.get(notification.getName());
                            if (wakeup != null) {
                                wakeup.signal();
                            }
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                // The pool closes before this bean when the service stops: nothing to listen to any more, nothing to warn of.
                if (!loop.running() || dataSource instanceof HikariDataSource pool && pool.isClosed()) {
                    return;
                }
                LOG.warn("not listening to the state database ({}); workers poll until it is back, trying again in {} ms",
                        e.getMessage(), backoff.toMillis());
                wakeAll();
                LockSupport.parkNanos(backoff.toNanos());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        listening = false;
    }

    private void wakeAll() {
        channels.values().forEach(Wakeup::signal);
    }
}
