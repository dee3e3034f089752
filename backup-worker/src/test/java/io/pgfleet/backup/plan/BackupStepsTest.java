package io.pgfleet.backup.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BackupStepsTest {

    private static final BackupPlan PLAN = new BackupPlan(List.of("small"), List.of("large", "larger"));
    private static final BackupProgress PLANNED = BackupProgress.planned(List.of("small", "large", "larger"), List.of("app"), PLAN, null);

    private static Map<String, Manifest.File> saved(String snapshot, String... files) {
        Map<String, Manifest.File> saved = new TreeMap<>();
        for (String file : files) {
            saved.put(file, new Manifest.File(snapshot, "/" + file, 10, "0".repeat(64)));
        }
        return saved;
    }

    @Test
    void aBackupIsPlannedThenSavedThenItsManifestWrittenThenFinished() {
        assertThat(BackupSteps.next(Optional.empty())).isEqualTo(new BackupSteps.Next.Plan());
        assertThat(BackupSteps.next(Optional.of(PLANNED))).isEqualTo(new BackupSteps.Next.Save(List.of(Manifest.GLOBALS,
                Manifest.dumpFile("small"), Manifest.dumpFile("large"), Manifest.dumpFile("larger")), false));
        BackupProgress all = PLANNED.saved(saved("aaaaaaaa", Manifest.GLOBALS, Manifest.dumpFile("small")))
                .saved(saved("bbbbbbbb", Manifest.dumpFile("large"))).saved(saved("cccccccc", Manifest.dumpFile("larger")));
        assertThat(BackupSteps.next(Optional.of(all))).isEqualTo(new BackupSteps.Next.WriteManifest(false));
        assertThat(BackupSteps.next(Optional.of(all.manifestSaved("dddddddd")))).isEqualTo(new BackupSteps.Next.Finish());
    }

    @Test
    void aSaveTakenUpAgainAfterAKillCleansUpFirstAndSavesOnlyWhatWasNotRecorded() {
        BackupProgress killed = PLANNED.underWay(BackupProgress.SAVE).saved(saved("bbbbbbbb", Manifest.dumpFile("large")));
        assertThat(BackupSteps.next(Optional.of(killed))).isEqualTo(new BackupSteps.Next.Save(List.of(Manifest.GLOBALS,
                Manifest.dumpFile("small"), Manifest.dumpFile("larger")), true));
        assertThat(killed.snapshots()).containsExactly("bbbbbbbb");
        BackupProgress manifestKilled = killed.saved(saved("aaaaaaaa", Manifest.GLOBALS, Manifest.dumpFile("small")))
                .saved(saved("cccccccc", Manifest.dumpFile("larger"))).underWay(BackupProgress.MANIFEST);
        assertThat(BackupSteps.next(Optional.of(manifestKilled))).isEqualTo(new BackupSteps.Next.WriteManifest(true));
    }

    @Test
    void progressSurvivesItsCatalogRowWhole() {
        BackupProgress.BaseBackup base = new BackupProgress.BaseBackup("base backup 20261207-010000F taken from pg-2",
                Map.of("baseBackup", Map.of("label", "20261207-010000F"), "walRepository", "s3://b/_wal/tenant-a/pg"));
        BackupProgress progress = BackupProgress.planned(PLANNED.databases(), PLANNED.roles(), PLAN, base).underWay(BackupProgress.SAVE)
                .saved(saved("bbbbbbbb", Manifest.dumpFile("large")));
        assertThat(BackupProgress.fromJson(progress.toJson())).isEqualTo(progress);
    }
}
