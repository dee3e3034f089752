package io.pgfleet.backup.catalog;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface BackupRunRepository extends CrudRepository<BackupRunRow, String> {

    List<BackupRunRow> findByInstanceOrderByCreatedAtDesc(String instance);

    /** The newest backup that succeeded and is still kept, per instance (the fleet's list shows it). */
    @Query(value = "SELECT DISTINCT ON (instance) * FROM backup_run WHERE status = 'SUCCEEDED' AND NOT forgotten "
            + "ORDER BY instance, finished_at DESC", nativeQuery = true)
    List<BackupRunRow> findLastSucceeded();

    /** How many on-demand backups the instances of a namespace ({@code <namespace>/…}) were given since a time. */
    @Query(value = "SELECT count(*) FROM backup_run WHERE trigger = 'on-demand' AND created_at >= :since "
            + "AND starts_with(instance, :namespace || '/')", nativeQuery = true)
    long countOnDemandSince(String namespace, Instant since);

    @Query("UPDATE backup_run SET status = 'RUNNING', started_at = :startedAt WHERE id = :id")
    void started(String id, Instant startedAt);

    /** A backup saved to the end: its databases and snapshots (JSON), size and duration. */
    @Query("UPDATE backup_run SET status = 'SUCCEEDED', finished_at = :finishedAt, databases = :databases, snapshots = :snapshots, "
            + "bytes = :bytes, duration_ms = :durationMs, message = :message WHERE id = :id")
    void succeeded(String id, Instant finishedAt, String databases, String snapshots, long bytes, long durationMs, String message);

    @Query("UPDATE backup_run SET status = 'FAILED', finished_at = :finishedAt, message = :message WHERE id = :id")
    void failed(String id, Instant finishedAt, String message);

    /** The manifest of a backup whose snapshots are all saved, with its progress; it counts once the run is {@code SUCCEEDED}. */
    @Query("UPDATE backup_run SET manifest = :manifest, progress = :progress WHERE id = :id")
    void keepManifest(String id, String manifest, String progress);

    /** How far a backup has come ({@code plan.BackupProgress} as JSON). */
    @Query("UPDATE backup_run SET progress = :progress WHERE id = :id")
    void progress(String id, String progress);

    @Query("UPDATE backup_run SET forgotten = true WHERE id IN (:ids)")
    void forgotten(List<String> ids);
}
