package io.pgfleet.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.host.OsUser;
import io.pgfleet.host.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a worker SIGKILLed while pgBackRest ran leaves behind is stopped before the retried step runs its own; a live
 * worker's pgBackRest and PostgreSQL's own archive-push are left alone. A stand-in script named pgbackrest plays it.
 */
class PgBackRestLeftoversTest {

    @TempDir
    Path dir;

    @Test
    void anOrphanedRunOfThisRepositoryIsStoppedAndNothingElse() throws Exception {
        Path program = dir.resolve("pgbackrest");
        Files.writeString(program, "#!/bin/sh\nsleep 300\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
        Path config = dir.resolve("pgbackrest.conf");
        String mine = program + " --config=" + config + " --stanza=tenant-a-shop --log-level-console=warn";
        // Orphans: started in the background of a shell that exits at once, as a killed worker's children are left.
        new ProcessBuilder("sh", "-c", mine + " backup --type=full > /dev/null 2>&1 &").start().waitFor();
        new ProcessBuilder("sh", "-c", mine + " archive-push pg_wal/000000010000000000000003 > /dev/null 2>&1 &").start().waitFor();
        new ProcessBuilder("sh", "-c", program + " --config=" + config + " --stanza=tenant-b-shop backup > /dev/null 2>&1 &").start().waitFor();
        // A live worker's: this JVM is its parent.
        Process live = new ProcessBuilder("sh", "-c", mine + " check").start();
        await().atMost(Duration.ofSeconds(10)).until(() -> runs(config, "tenant-a-shop", "backup").size() == 1);

        PgBackRest repository = new PgBackRest(program.toString(), OsUser.forPostgres("nobody"), config, "tenant-a-shop", Duration.ofMinutes(1));
        try {
            assertThat(repository.stopLeftovers()).isEqualTo(1);
            assertThat(runs(config, "tenant-a-shop", "backup")).isEmpty();
            assertThat(runs(config, "tenant-a-shop", "archive-push")).as("PostgreSQL's archive-push").hasSize(1);
            assertThat(runs(config, "tenant-b-shop", "backup")).as("another instance's").hasSize(1);
            assertThat(live.isAlive()).as("a live worker's").isTrue();
            assertThat(repository.stopLeftovers()).isZero();
        } finally {
            live.descendants().forEach(ProcessHandle::destroyForcibly);
            live.destroyForcibly();
            Processes.matching(argv -> argv.stream().anyMatch(a -> a.startsWith("--config=" + config)))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static List<ProcessHandle> runs(Path config, String stanza, String command) {
        return Processes.matching(argv -> argv.contains("--config=" + config) && argv.contains("--stanza=" + stanza) && argv.contains(command)
                && Optional.ofNullable(argv.get(0)).orElse("").endsWith("sh"));
    }
}
