package io.pgfleet.backup.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.backup.restic.ResticRepository.Snapshot;
import io.pgfleet.backup.catalog.BackupRunRow;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which backup a restore reads, without a repository or a database. */
class RestoreChoiceTest {

    private static BackupRunRow run(String id, String status, boolean forgotten, String manifestSnapshot) {
        return new BackupRunRow(id, "tenant-a/shop", null, "on-demand", null, "s3:x", status, null, null, null,
                "{\"manifest.json\":\"" + manifestSnapshot + "\",\"sales.dump\":\"" + manifestSnapshot.replace('m', 's') + "\"}",
                null, null, null, forgotten, Instant.parse("2026-11-30T00:00:00Z"), status.equals("SUCCEEDED") ? "{}" : null, null);
    }

    private static Snapshot snapshot(String id, String time, String backup, boolean manifest) {
        return new Snapshot(id, id.substring(0, 8), Instant.parse(time), List.of("/x"),
                manifest ? Set.of("pgfleet", "backup=" + backup, "manifest") : Set.of("pgfleet", "backup=" + backup));
    }

    private final List<BackupRunRow> catalog = List.of(
            run("20261130-030000-aaaaaa", "FAILED", false, "m3333333"),
            run("20261129-030000-bbbbbb", "SUCCEEDED", true, "m2222222"),
            run("20261128-030000-cccccc", "SUCCEEDED", false, "m1111111"),
            run("20261127-030000-dddddd", "SUCCEEDED", false, "m0000000"));

    @Test
    void theLatestGoodBackupStillKeptIsTakenWhenNoneIsAskedFor() {
        assertThat(RestoreChoice.fromCatalog(catalog, null)).map(BackupRunRow::id).contains("20261128-030000-cccccc");
    }

    @Test
    void aBackupIsFoundByItsIdOrByAnyOfItsSnapshots() {
        assertThat(RestoreChoice.fromCatalog(catalog, "20261127-030000-dddddd")).map(BackupRunRow::id).contains("20261127-030000-dddddd");
        assertThat(RestoreChoice.fromCatalog(catalog, "s0000000")).map(BackupRunRow::id).contains("20261127-030000-dddddd");
        assertThat(RestoreChoice.fromCatalog(catalog, "m000")).map(BackupRunRow::id).contains("20261127-030000-dddddd");
    }

    @Test
    void aFailedOrForgottenBackupIsNeverChosen() {
        assertThat(RestoreChoice.fromCatalog(catalog, "20261130-030000-aaaaaa")).isEmpty();
        assertThat(RestoreChoice.fromCatalog(catalog, "20261129-030000-bbbbbb")).isEmpty();
    }

    @Test
    void inTheRepositoryTheNewestManifestComesFirst() {
        List<Snapshot> snapshots = List.of(
                snapshot("aaaa1111aaaa1111", "2026-11-28T03:00:10Z", "b1", true),
                snapshot("bbbb2222bbbb2222", "2026-11-29T03:00:10Z", "b2", true),
                snapshot("cccc3333cccc3333", "2026-11-29T03:00:05Z", "b2", false));
        assertThat(RestoreChoice.manifests(snapshots, null)).extracting(Snapshot::id).containsExactly("bbbb2222bbbb2222", "aaaa1111aaaa1111");
    }

    @Test
    void inTheRepositoryASnapshotIdLeadsToTheManifestOfItsBackup() {
        List<Snapshot> snapshots = List.of(
                snapshot("aaaa1111aaaa1111", "2026-11-28T03:00:10Z", "b1", true),
                snapshot("dddd4444dddd4444", "2026-11-28T03:00:05Z", "b1", false),
                snapshot("bbbb2222bbbb2222", "2026-11-29T03:00:10Z", "b2", true));
        assertThat(RestoreChoice.manifests(snapshots, "dddd4444")).extracting(Snapshot::id).containsExactly("aaaa1111aaaa1111");
        assertThat(RestoreChoice.manifests(snapshots, "b2")).extracting(Snapshot::id).containsExactly("bbbb2222bbbb2222");
        assertThat(RestoreChoice.manifests(snapshots, "b9")).isEmpty();
    }
}
