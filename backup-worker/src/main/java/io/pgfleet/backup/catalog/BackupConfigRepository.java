package io.pgfleet.backup.catalog;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface BackupConfigRepository extends CrudRepository<BackupConfigRow, String> {

    @Query("INSERT INTO backup_config (instance, enabled, s3_bucket, s3_region, schedule, cleanup_strategy, next_run, updated_at) "
            + "VALUES (:instance, :enabled, :s3Bucket, :s3Region, :schedule, :cleanupStrategy, :nextRun, :updatedAt) "
            + "ON CONFLICT (instance) DO UPDATE SET enabled = EXCLUDED.enabled, s3_bucket = EXCLUDED.s3_bucket, "
            + "s3_region = EXCLUDED.s3_region, schedule = EXCLUDED.schedule, cleanup_strategy = EXCLUDED.cleanup_strategy, "
            + "next_run = EXCLUDED.next_run, updated_at = EXCLUDED.updated_at")
    void upsert(BackupConfigRow row);

    /** Enabled configurations whose next run is due at {@code now}. */
    @Query("SELECT * FROM backup_config WHERE enabled AND next_run <= :now ORDER BY next_run")
    List<BackupConfigRow> findDue(Instant now);

    /** Moves the schedule from {@code slot} to {@code next}; 1 for the one replica that takes the run, 0 for the others. */
    @Query("UPDATE backup_config SET next_run = :next WHERE instance = :instance AND next_run = :slot AND enabled")
    int takeSlot(String instance, Instant slot, Instant next);
}
