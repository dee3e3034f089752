package io.pgfleet.backup.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * One backup run in the catalog.
 *
 * @param trigger      {@code scheduled} or {@code on-demand}
 * @param scheduledFor the schedule slot it runs for (scheduled runs only: one run per slot)
 * @param repository   the restic repository (no credential in it)
 * @param status       PENDING, RUNNING, SUCCEEDED, FAILED
 * @param databases    JSON list of the databases saved
 * @param snapshots    JSON map: file in the snapshot set ({@code globals.sql}, {@code <db>.dump}, {@code manifest.json}) to snapshot id
 * @param bytes        bytes saved (the dumps' size)
 * @param forgotten    removed from the repository by the retention policy
 * @param manifest     the {@code plan.Manifest} of a good backup, as JSON
 * @param progress     how far the backup has come ({@code plan.BackupProgress} as JSON), while it runs and after
 */
@MappedEntity("backup_run")
public record BackupRunRow(@Id String id, String instance, @Nullable String commandId, String trigger, @Nullable Instant scheduledFor,
                           String repository, String status, @Nullable Instant startedAt, @Nullable Instant finishedAt,
                           @Nullable String databases, @Nullable String snapshots, @Nullable Long bytes, @Nullable Long durationMs,
                           @Nullable String message, boolean forgotten, Instant createdAt, @Nullable String manifest,
                           @Nullable String progress) {

    private static final TypeReference<Map<String, String>> SNAPSHOTS = new TypeReference<>() {
    };

    /** The snapshot ids of the run's files (empty before it succeeded). */
    public Map<String, String> snapshotIds() {
        try {
            return snapshots == null ? Map.of() : Json.mapper().readValue(snapshots, SNAPSHOTS);
        } catch (IOException e) {
            throw new IllegalStateException("catalog row " + id + " has unreadable snapshots", e);
        }
    }
}
