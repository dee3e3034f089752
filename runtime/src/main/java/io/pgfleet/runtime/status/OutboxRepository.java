package io.pgfleet.runtime.status;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface OutboxRepository extends CrudRepository<OutboxRow, Long> {

    /** The oldest unpublished events, locked so that another replica's relay skips them. */
    @Query("SELECT * FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED")
    List<OutboxRow> lockUnpublished(int limit);

    @Query("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    long countUnpublished();

    @Query("UPDATE outbox SET published_at = now() WHERE id IN (:ids)")
    void markPublished(List<Long> ids);

    /**
     * This transaction commits without waiting for its WAL to reach disk: after a crash of the state database it may be
     * lost, so its events are sent again under the same ids, which consumers dedupe on.
     */
    @Query("SELECT set_config('synchronous_commit', 'off', true)")
    String commitWithoutWaiting();

    /** Every event of an instance, oldest first (for the HTTP views and tests). */
    List<OutboxRow> findByInstanceOrderById(String instance);
}
