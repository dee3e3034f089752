package io.pgfleet.backup.plan;

import io.pgfleet.backup.restic.ResticRepository.Snapshot;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.backup.catalog.BackupRunRow;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which backup a restore reads, as pure functions of what the catalog and the repository list:
 * the latest good one, or the one asked for by its backup id or by the id (or a prefix of it) of
 * any of its snapshots.
 */
public final class RestoreChoice {

    private RestoreChoice() {
    }

    /** From the catalog (newest first): a good, not forgotten backup with its manifest, the latest or the one asked for. */
    public static Optional<BackupRunRow> fromCatalog(List<BackupRunRow> newestFirst, String wanted) {
        return newestFirst.stream()
                .filter(run -> "SUCCEEDED".equals(run.status()) && !run.forgotten() && run.manifest() != null)
                .filter(run -> wanted == null || run.id().equals(wanted)
                        || run.snapshotIds().values().stream().anyMatch(id -> id.startsWith(wanted) || wanted.startsWith(id)))
                .findFirst();
    }

    /**
     * From the repository's snapshots: the manifest snapshots to try, newest first — of the backup asked for
     * (its id, or the backup of the snapshot whose id starts with {@code wanted}), or of any backup.
     */
    public static List<Snapshot> manifests(List<Snapshot> snapshots, String wanted) {
        String backupId = wanted == null ? null
                : snapshots.stream().filter(s -> s.id().startsWith(wanted)).map(s -> s.tag("backup")).findFirst().orElse(wanted);
        return snapshots.stream()
                .filter(s -> s.tags().contains(ResticRepository.MANIFEST) && (backupId == null || backupId.equals(s.tag("backup"))))
                .sorted(Comparator.comparing(Snapshot::time).reversed()).toList();
    }
}
