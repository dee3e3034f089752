package io.pgfleet.backup.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which files a restore copies to its work directory before it checks and restores them. */
class BackupFilesTest {

    private static final long MB = 1L << 20;

    @Test
    void sharedSnapshotsAreCopiedThenLargeDumpsWhileTheyFitTheBudgetAndTheDisk() {
        Map<String, List<String>> bySnapshot = new LinkedHashMap<>();
        bySnapshot.put("s-shared", List.of("globals.sql", "small.dump"));
        bySnapshot.put("s-big", List.of("big.dump"));
        bySnapshot.put("s-huge", List.of("huge.dump"));
        bySnapshot.put("s-mid", List.of("mid.dump"));
        Map<String, Long> sizes = Map.of("globals.sql", 1L, "small.dump", 10 * MB, "big.dump", 800 * MB, "huge.dump", 5000 * MB,
                "mid.dump", 300 * MB);

        // 1 GiB: the shared files and big.dump (810 MiB); huge.dump never fits, mid.dump no longer does.
        assertThat(BackupFiles.copied(bySnapshot, sizes, 1024 * MB, 100_000 * MB))
                .containsExactly("globals.sql", "small.dump", "big.dump");
        // A disk with 900 MiB free keeps a tenth free: 810 MiB, so big.dump is streamed, mid.dump (310 MiB in all) copied.
        assertThat(BackupFiles.copied(bySnapshot, sizes, 1024 * MB, 900 * MB)).containsExactly("globals.sql", "small.dump", "mid.dump");
        // No budget: only what shares a snapshot (as before).
        assertThat(BackupFiles.copied(bySnapshot, sizes, 0, 100_000 * MB)).containsExactly("globals.sql", "small.dump");
    }
}
