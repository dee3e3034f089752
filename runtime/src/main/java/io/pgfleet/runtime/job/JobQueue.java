package io.pgfleet.runtime.job;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;

/**
 * Hands out jobs to workers, across threads and replicas: the oldest due job of an instance that
 * has no earlier open job, under a lease. A worker that dies loses its lease and the job is taken
 * again, where it stands.
 */
@Singleton
public class JobQueue {

    private static final String CLAIM = """
            UPDATE job SET status = 'RUNNING', lease_owner = ?, lease_until = now() + (? * interval '1 millisecond'), updated_at = now()
            WHERE id = (
                SELECT j.id FROM job j
                WHERE j.status IN ('PENDING', 'RUNNING') AND j.not_before <= now()
                  AND (j.lease_until IS NULL OR j.lease_until < now())
                  AND NOT EXISTS (SELECT 1 FROM job e WHERE e.instance = j.instance AND e.id < j.id
                                  AND e.status IN ('PENDING', 'RUNNING'))
                ORDER BY j.not_before, j.id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING *""";

    // When the next job could be taken: the soonest due job that no earlier open job of its instance holds back,
    // or whose lease runs out; NULL when none is open.
    private static final String NEXT_DUE = """
            SELECT floor(extract(epoch FROM min(GREATEST(j.not_before, COALESCE(j.lease_until, j.not_before))) - now()) * 1000)::bigint
            FROM job j
            WHERE j.status IN ('PENDING', 'RUNNING')
              AND NOT EXISTS (SELECT 1 FROM job e WHERE e.instance = j.instance AND e.id < j.id
                              AND e.status IN ('PENDING', 'RUNNING'))""";

    private final JdbcOperations jdbc;

    public JobQueue(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Takes the next due job, if any. Its commit does not wait for the disk: a lease lost to a crash of the state database
     * only means the job is taken again, and whatever the step did is then refused by the fenced updates.
     */
    @Transactional
    public Optional<JobRow> claim(String owner, Duration lease) {
        jdbc.prepareStatement("SELECT set_config('synchronous_commit', 'off', true)", statement -> statement.executeQuery().next());
        return jdbc.prepareStatement(CLAIM, statement -> {
            statement.setString(1, owner);
            statement.setLong(2, lease.toMillis());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(jdbc.readEntity(rows, JobRow.class)) : Optional.empty();
            }
        });
    }

    /** How long until a job could be taken (zero or less: now), empty when no job is open. */
    @Transactional
    public Optional<Duration> nextDue() {
        return jdbc.prepareStatement(NEXT_DUE, statement -> {
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                long millis = rows.getLong(1);
                return rows.wasNull() ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
            }
        });
    }
}
