package io.pgfleet.backup.catalog;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * An instance's backup configuration from its last provision document, without any credential.
 *
 * @param nextRun when the schedule fires next ({@code null} while backups are disabled)
 */
@MappedEntity("backup_config")
public record BackupConfigRow(@Id String instance, boolean enabled, String s3Bucket, String s3Region, String schedule,
                              @Nullable String cleanupStrategy, @Nullable Instant nextRun, Instant updatedAt) {
}
