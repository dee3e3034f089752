package io.pgfleet.backup.catalog;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface BackupConfigRepository extends CrudRepository<BackupConfigRow, String> {

    /** The configuration from a document; the drills planned from it are left to the scheduler ({@link #planDrills}). */
    @Query("INSERT INTO backup_config (instance, enabled, s3_bucket, s3_region, schedule, cleanup_strategy, next_run, updated_at, verify_schedule) "
            + "VALUES (:instance, :enabled, :s3Bucket, :s3Region, :schedule, :cleanupStrategy, :nextRun, :updatedAt, :verifySchedule) "
            + "ON CONFLICT (instance) DO UPDATE SET enabled = EXCLUDED.enabled, s3_bucket = EXCLUDED.s3_bucket, "
            + "s3_region = EXCLUDED.s3_region, schedule = EXCLUDED.schedule, cleanup_strategy = EXCLUDED.cleanup_strategy, "
            + "next_run = EXCLUDED.next_run, updated_at = EXCLUDED.updated_at, verify_schedule = EXCLUDED.verify_schedule")
    void upsert(BackupConfigRow row);

    /** Enabled configurations whose next run is due at {@code now}. */
    @Query("SELECT * FROM backup_config WHERE enabled AND next_run <= :now ORDER BY next_run")
    List<BackupConfigRow> findDue(Instant now);

    /** Moves the schedule from {@code slot} to {@code next}; 1 for the one replica that takes the run, 0 for the others. */
    @Query("UPDATE backup_config SET next_run = :next WHERE instance = :instance AND next_run = :slot AND enabled")
    int takeSlot(String instance, Instant slot, Instant next);

    /**
     * Plans the instance's drills from {@code cron} (null: none), first due at {@code next}, unless another replica planned
     * them meanwhile (the schedule they were planned from is no longer {@code was}).
     */
    @Query("UPDATE backup_config SET verify_cron = :cron, next_verify = :next WHERE instance = :instance "
            + "AND verify_cron IS NOT DISTINCT FROM :was")
    int planDrills(String instance, @Nullable String was, @Nullable String cron, @Nullable Instant next);

    /** Enabled configurations whose next restore drill is due at {@code now}. */
    @Query("SELECT * FROM backup_config WHERE enabled AND next_verify <= :now ORDER BY next_verify")
    List<BackupConfigRow> findDrillsDue(Instant now);

    /** Moves the drills' schedule from {@code slot} to {@code next}; 1 for the one replica that takes the drill. */
    @Query("UPDATE backup_config SET next_verify = :next WHERE instance = :instance AND next_verify = :slot AND enabled")
    int takeDrillSlot(String instance, Instant slot, Instant next);
}
