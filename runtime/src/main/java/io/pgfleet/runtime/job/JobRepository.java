package io.pgfleet.runtime.job;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface JobRepository extends CrudRepository<JobRow, Long> {

    @Query("SELECT count(*) FROM job WHERE instance = :instance AND status IN ('PENDING', 'RUNNING')")
    long countOpen(String instance);

    /** The instances with an open job, in one query (a health check of many instances asks once). */
    @Query(value = "SELECT DISTINCT instance FROM job WHERE status IN ('PENDING', 'RUNNING')", nativeQuery = true)
    List<String> findOpenInstances();

    // Fenced: each update of a taken job names the lease it was taken under and changes nothing (returns 0)
    // when that lease has passed to another worker, or the job was ended meanwhile.

    @Query("UPDATE job SET status = 'RUNNING', step = :step, not_before = now() + (:afterMillis * interval '1 millisecond'), "
            + "step_since = CASE WHEN step = :step THEN step_since ELSE now() END, "
            + "lease_owner = NULL, lease_until = NULL, updated_at = now() WHERE id = :id AND lease_owner = :owner AND status = 'RUNNING'")
    int progress(long id, String owner, String step, long afterMillis);

    @Query("UPDATE job SET status = 'RUNNING', step = :step, errors = errors + 1, not_before = now() + interval '2 seconds', "
            + "lease_owner = NULL, lease_until = NULL, updated_at = now() WHERE id = :id AND lease_owner = :owner AND status = 'RUNNING'")
    int erred(long id, String owner, String step);

    @Query("UPDATE job SET status = :status, step = :step, lease_owner = NULL, lease_until = NULL, updated_at = now() "
            + "WHERE id = :id AND lease_owner = :owner AND status = 'RUNNING'")
    int finish(long id, String owner, String status, String step);

    List<JobRow> findByInstanceOrderById(String instance);

    /**
     * Frees the leases of the earlier runs of a worker process that restarted (owners {@code <instance id>/…}): nothing of
     * theirs runs any more.
     */
    @Query("UPDATE job SET lease_owner = NULL, lease_until = NULL WHERE starts_with(lease_owner, :prefix) AND lease_owner <> :owner "
            + "AND status IN ('PENDING', 'RUNNING')")
    void releaseEarlierLeases(String prefix, String owner);

    @Query("UPDATE job SET lease_until = now() + (:leaseMillis * interval '1 millisecond') WHERE id = :id AND lease_owner = :owner")
    void renewLease(long id, String owner, long leaseMillis);
}
