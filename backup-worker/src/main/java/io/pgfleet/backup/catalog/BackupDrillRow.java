package io.pgfleet.backup.catalog;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * One restore drill of a backup: its outcome, the restore's measured time (the recovery time objective an operator can
 * show) and what the checks found.
 *
 * @param id        the drill's id ({@code verify-<job id>})
 * @param backupId  the backup restored ({@code null} for a point in time)
 * @param pointInTime the time restored to from the WAL archive ({@code null} for a backup)
 * @param status    SUCCEEDED or FAILED
 * @param restoreMs how long the restore into the scratch server took, from its start to its last database loaded
 * @param bytes     the dumps' size restored
 * @param databases the databases checked
 * @param tables    the tables whose rows were counted and compared
 * @param findings  JSON list of what the checks found (a table's rows that differ, a missing database, pg_amcheck's words)
 */
@MappedEntity("backup_drill")
public record BackupDrillRow(@Id String id, String instance, @Nullable String commandId, @Nullable String backupId,
                             @Nullable Instant pointInTime, String status,
                             Instant startedAt, Instant finishedAt, @Nullable Long restoreMs, @Nullable Long bytes,
                             @Nullable Integer databases, @Nullable Integer tables, @Nullable String findings, String message) {
}
