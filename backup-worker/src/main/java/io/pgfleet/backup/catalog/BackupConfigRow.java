package io.pgfleet.backup.catalog;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * An instance's backup configuration from its last provision document, without any credential.
 *
 * @param nextRun        when the schedule fires next ({@code null} while backups are disabled)
 * @param verifySchedule the document's schedule of restore drills ({@code null}: the operator's default applies)
 * @param verifyCron     the drill schedule {@code nextVerify} was planned from ({@code null}: no drills planned)
 * @param nextVerify     when the next restore drill falls due
 */
@MappedEntity("backup_config")
public record BackupConfigRow(@Id String instance, boolean enabled, String s3Bucket, String s3Region, String schedule,
                              @Nullable String cleanupStrategy, @Nullable Instant nextRun, Instant updatedAt,
                              @Nullable String verifySchedule, @Nullable String verifyCron, @Nullable Instant nextVerify) {
}
