package io.pgfleet.backup.catalog;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface BackupDrillRepository extends CrudRepository<BackupDrillRow, String> {

    /** An instance's drills, the newest first. */
    List<BackupDrillRow> findByInstanceOrderByFinishedAtDesc(String instance);

    /** The newest successful drill of each instance. */
    @Query(value = "SELECT DISTINCT ON (instance) * FROM backup_drill WHERE status = 'SUCCEEDED' ORDER BY instance, finished_at DESC",
            nativeQuery = true)
    List<BackupDrillRow> findLastSucceeded();

    /** The newest drill of each instance, whatever its outcome. */
    @Query(value = "SELECT DISTINCT ON (instance) * FROM backup_drill ORDER BY instance, finished_at DESC", nativeQuery = true)
    List<BackupDrillRow> findNewest();
}
