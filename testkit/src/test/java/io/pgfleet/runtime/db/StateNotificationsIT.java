package io.pgfleet.runtime.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.servers.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The state database wakes a service's workers and relay when a transaction commits work for them, on a real
 * PostgreSQL with the runtime's own migrations: a new job and a job let go of wake the workers, taking a job does
 * not, a status event wakes the relay, nothing is announced before the commit, and a listening connection that is
 * killed is replaced.
 */
class StateNotificationsIT {

    private static final String INSERT_JOB = "INSERT INTO svc.job (instance, command_type, status) VALUES ('tenant-a/db', 'provision', 'PENDING')";
    private static final String INSERT_EVENT = "INSERT INTO svc.outbox (event_id, topic, instance, payload) "
            + "VALUES (gen_random_uuid(), 'pgfleet.status', 'tenant-a/db', '{}')";

    @Test
    void committedWorkWakesItsWaiters() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(); Connection sql = postgres.connect("postgres")) {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(postgres.jdbcUrl("postgres"));
            dataSource.setUser(PostgresServer.SUPERUSER);
            dataSource.setPassword(postgres.password());
            Flyway.configure().dataSource(dataSource).schemas("svc").createSchemas(true).locations("classpath:db/runtime")
                    .table("pgfleet_runtime_history").load().migrate();
            StateNotifications notifications = new StateNotifications(dataSource, "svc");
            notifications.start();
            try (Statement statement = sql.createStatement()) {
                await().atMost(Duration.ofSeconds(10)).until(notifications::listening);
                long jobs = notifications.jobs().generation();
                long events = notifications.outbox().generation();

                // Nothing is announced until the transaction commits.
                sql.setAutoCommit(false);
                statement.execute(INSERT_JOB);
                statement.execute(INSERT_EVENT);
                // A round trip on the listening side's server, after which an early notification would have been sent.
                statement.execute("SELECT pg_sleep(0.2)");
                assertThat(notifications.jobs().generation()).isEqualTo(jobs);
                assertThat(notifications.outbox().generation()).isEqualTo(events);
                sql.commit();
                sql.setAutoCommit(true);
                assertThat(notifications.jobs().await(jobs, Duration.ofSeconds(10))).isTrue();
                assertThat(notifications.outbox().await(events, Duration.ofSeconds(10))).isTrue();

                // Taking a job frees nothing: no wake-up (a later status event shows the announcements arrived in order).
                jobs = notifications.jobs().generation();
                events = notifications.outbox().generation();
                statement.execute("UPDATE svc.job SET status = 'RUNNING', lease_owner = 'w/1', lease_until = now() + interval '1 minute'");
                statement.execute(INSERT_EVENT);
                assertThat(notifications.outbox().await(events, Duration.ofSeconds(10))).isTrue();
                assertThat(notifications.jobs().generation()).isEqualTo(jobs);

                // Letting go of it (a step done, to come back later) wakes the workers.
                statement.execute("UPDATE svc.job SET lease_owner = NULL, lease_until = NULL, not_before = now() + interval '1 second'");
                assertThat(notifications.jobs().await(jobs, Duration.ofSeconds(10))).isTrue();

                // The listening connection is killed: another one listens, and what is committed then still wakes.
                int killed = listener(statement);
                statement.execute("SELECT pg_terminate_backend(" + killed + ")");
                await().atMost(Duration.ofSeconds(10)).until(() -> listener(statement) != killed && listener(statement) != 0
                        && notifications.listening());
                long received = notifications.received();
                statement.execute(INSERT_JOB);
                await().atMost(Duration.ofSeconds(10)).until(() -> notifications.received() > received);
            } finally {
                notifications.stop();
            }
        }
    }

    /** The backend that listens (0 when none): the one whose last statement was a LISTEN. */
    private static int listener(Statement statement) throws java.sql.SQLException {
        try (var rows = statement.executeQuery("SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' "
                + "AND pid <> pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
