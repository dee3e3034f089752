package io.pgfleet.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.backup.restic.ResticSave;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.pgfleet.testkit.Restic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private static Pipeline.Stage stage(String... argv) {
        return new Pipeline.Stage(List.of(argv), Map.of());
    }

    @Test
    void aProgramStartedEarlyGetsItsInputWhenItIsKnown() {
        Pipeline.Running cat = Pipeline.start(List.of(stage("cat")), MINUTE);
        Pipeline.Result result = cat.finish("the manifest".getBytes(StandardCharsets.UTF_8));
        assertThat(result.ok()).isTrue();
        assertThat(result.output()).isEqualTo("the manifest");
    }

    @Test
    void aFileFarLargerThanAManifestIsNotReadIntoMemoryAndIsAFailure() {
        // A tenant holds its repository's password: its "manifest.json" may be gigabytes. 100 MiB here.
        Pipeline.Result result = Pipeline.run(List.of(stage("sh", "-c", "head -c 104857600 /dev/zero")), null, MINUTE);
        assertThat(result.output()).hasSize(Pipeline.MAX_OUTPUT);
        assertThat(result.dropped()).isEqualTo(104857600L - Pipeline.MAX_OUTPUT);
        assertThat(result.ok()).isFalse();
        assertThat(result.failure()).contains("sh wrote 104857600 bytes, more than the " + Pipeline.MAX_OUTPUT + " read from it");
    }

    @Test
    void theReaderThatFailedIsNamedNotTheWriterItLeftWithABrokenPipe() {
        // yes writes forever; the reader takes a little, complains and exits: yes dies of SIGPIPE.
        Pipeline.Result result = Pipeline.run(List.of(stage("yes"),
                stage("sh", "-c", "head -c 10 >/dev/null; echo 'Fatal: wrong password or no key found' >&2; exit 3")), null, MINUTE);
        assertThat(result.exitCodes()).containsExactly(141, 3);
        assertThat(result.failure()).isEqualTo("sh exited with 3: Fatal: wrong password or no key found");
    }

    @Test
    void aReaderThatTookWhatItWantedAndSucceededLeavesTheWriterCutOffWithoutAFailure() {
        // pg_restore -l reads a dump's table of contents and stops: restic dump, still writing, dies of SIGPIPE.
        Pipeline.Result result = Pipeline.run(List.of(stage("yes"), stage("head", "-c", "4")), null, MINUTE);
        assertThat(result.exitCodes()).containsExactly(141, 0);
        assertThat(result.ok()).isTrue();
        assertThat(result.failure()).isNull();
        assertThat(result.output()).isEqualTo("y\ny\n");
        // Cut off with nobody after it, it failed.
        Pipeline.Result alone = Pipeline.run(List.of(stage("sh", "-c", "kill -PIPE $$")), null, MINUTE);
        assertThat(alone.ok()).isFalse();
        assertThat(alone.failure()).isEqualTo("sh exited with 141");
    }

    @Test
    void aWriterThatFailsOnItsOwnIsNamed() {
        Pipeline.Result result = Pipeline.run(List.of(stage("sh", "-c", "echo 'pg_dump: error: no such table' >&2; exit 1"), stage("cat")),
                null, MINUTE);
        assertThat(result.failure()).isEqualTo("sh exited with 1: pg_dump: error: no such table");
    }

    @Test
    void aCancelledSaveWritesNoSnapshotAndLeavesNoLock(@TempDir Path dir) {
        Restic.requireInstalled();
        Restic restic = new Restic(dir.resolve("repo").toString(), Map.of("RESTIC_PASSWORD", "pipeline-test"));
        restic.run(null, "init");
        ResticRepository repository = new ResticRepository("restic", restic.repository(), "us-east-1", "tenant/db",
                new ResticCredentials("access", "secret", "pipeline-test"), MINUTE);
        for (Duration after : List.of(Duration.ZERO, Duration.ofMillis(500))) {
            // As during a backup: the manifest's restic waits for its content, holding a lock; the backup fails.
            ResticSave manifest = repository.prepareBackup("manifest.json", List.of("pgfleet"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !restic.run(null, "list", "locks", "--no-lock").output().isBlank());
            await().pollDelay(after).until(() -> true);
            manifest.cancel();
            assertThat(restic.run(null, "list", "locks", "--no-lock").output()).as("cancelled %s after the lock", after).isBlank();
            assertThat(restic.run(null, "snapshots", "--json").output().strip()).isEqualTo("[]");
        }
    }

    @Test
    void resticLeftRunningByAKilledAttemptOfABackupIsStoppedAndSavesNothing(@TempDir Path dir) throws Exception {
        Restic.requireInstalled();
        Restic restic = new Restic(dir.resolve("repo").toString(), Map.of("RESTIC_PASSWORD", "pipeline-test"));
        restic.run(null, "init");
        ResticRepository repository = new ResticRepository("restic", restic.repository(), "us-east-1", "tenant/db",
                new ResticCredentials("access", "secret", "pipeline-test"), MINUTE);
        // What a worker killed in the middle of a save leaves: its restic, still reading, no longer its child.
        ResticSave orphan = repository.prepareBackup("sales.dump", List.of("pgfleet", "backup=20261130-120000-abcdef"));
        ResticSave other = repository.prepareBackup("stock.dump", List.of("pgfleet", "backup=20261130-130000-fedcba"));
        await().atMost(Duration.ofSeconds(30)).until(() -> restic.run(null, "list", "locks", "--no-lock").output().lines().count() == 2);

        assertThat(repository.stopLeftovers("20261130-120000-abcdef")).isEqualTo(1);
        assertThat(restic.run(null, "list", "locks", "--no-lock").output().lines().count()).as("the other backup's restic runs on").isEqualTo(1);
        assertThatThrownBy(() -> orphan.finish("too late".getBytes(StandardCharsets.UTF_8))).isInstanceOf(ResticException.class);
        assertThat(other.finish("stock".getBytes(StandardCharsets.UTF_8)).snapshotId()).isNotBlank();
        assertThat(restic.run(null, "snapshots", "--json", "--tag", "backup=20261130-120000-abcdef").output().strip()).isEqualTo("[]");
    }
}
