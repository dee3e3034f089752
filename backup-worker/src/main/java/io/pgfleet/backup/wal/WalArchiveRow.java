package io.pgfleet.backup.wal;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * An instance's WAL archive as last seen in its repository.
 *
 * @param repository  where it is ({@code s3:https://host/bucket/path}, no credential)
 * @param earliest    the earliest time a point-in-time restore can reach (after the end of the oldest base backup), null
 *                    while there is no base backup
 * @param baseBackups the base backups, JSON ({@link ArchiveInfo.BaseBackup}, oldest first)
 * @param walMin      the oldest archived WAL segment
 * @param walMax      the newest archived WAL segment
 */
@MappedEntity("wal_archive")
public record WalArchiveRow(@Id String instance, String stanza, String repository, @Nullable Instant earliest, String baseBackups,
                            @Nullable String walMin, @Nullable String walMax, Instant updatedAt) {
}
