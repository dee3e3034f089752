package io.pgfleet.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {

    @Test
    void theSizeCountsEveryRegularFileAndNothingForAMissingTree(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.write(dir.resolve("a/one"), new byte[1000]);
        Files.write(dir.resolve("a/b/two"), new byte[234]);
        assertThat(FileTrees.size(dir)).isEqualTo(1234);
        assertThat(FileTrees.size(dir.resolve("missing"))).isZero();
    }

    @Test
    void directoriesRemovedWhileTheTreeIsWalkedDoNotMakeItCountNothing(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("base"), new byte[1 << 20]);
        AtomicBoolean churning = new AtomicBoolean(true);
        Thread churn = new Thread(() -> {
            for (int i = 0; churning.get(); i++) {
                try {
                    // as PostgreSQL makes a replication slot: a directory made under a temporary name, renamed, removed
                    Path made = Files.createDirectories(dir.resolve("slot-" + (i % 64) + ".tmp"));
                    Files.write(made.resolve("state"), new byte[10]);
                    Path slot = Files.move(made, dir.resolve("slot-" + (i % 64)));
                    Files.delete(slot.resolve("state"));
                    Files.delete(slot);
                } catch (Exception e) {
                    // the walk may hold an entry open: the next round goes on
                }
            }
        });
        churn.start();
        try {
            for (int i = 0; i < 2000; i++) {
                assertThat(FileTrees.size(dir)).as("walk %d", i).isGreaterThanOrEqualTo(1 << 20);
            }
        } finally {
            churning.set(false);
            churn.join();
        }
    }
}
