package io.pgfleet.testkit;

import io.pgfleet.servers.S3Server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.host.CommandResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RealServers.class)
class S3ResticIT {

    @BeforeAll
    static void resticIsInstalled() {
        assertThat(Restic.requireInstalled()).startsWith("restic ");
    }

    @Test
    void aFileIsBackedUpToS3AndRestored(S3Server s3, @TempDir Path work) throws Exception {
        Path source = Files.createDirectories(work.resolve("source"));
        Files.writeString(source.resolve("hello.txt"), "hello from pgfleet\n", StandardCharsets.UTF_8);
        Restic restic = Restic.onS3(s3, "testkit-backups/instance-a", "repository-password");

        restic.run(work, "init");
        restic.run(source, "backup", "--tag", "testkit", "hello.txt");
        CommandResult snapshots = restic.run(work, "snapshots", "--json");
        assertThat(snapshots.output()).contains("\"tags\":[\"testkit\"]");
        // The repository is really in the S3 server's bucket.
        assertThat(s3.directory().resolve("testkit-backups")).isDirectory();

        Path target = work.resolve("restored");
        restic.run(work, "restore", "latest", "--target", target.toString());
        assertThat(Files.readString(target.resolve("hello.txt"), StandardCharsets.UTF_8)).isEqualTo("hello from pgfleet\n");
    }

    @Test
    void theWrongPasswordOrTheWrongKeyIsRefused(S3Server s3, @TempDir Path work) {
        Restic restic = Restic.onS3(s3, "testkit-backups/instance-b", "right-password");
        restic.run(work, "init");

        Restic wrongPassword = Restic.onS3(s3, "testkit-backups/instance-b", "wrong-password");
        CommandResult refused = wrongPassword.tryRun(work, "snapshots");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.output()).contains("wrong password");

        Restic wrongKey = new Restic(restic.repository(), java.util.Map.of("AWS_ACCESS_KEY_ID", "nobody", "AWS_SECRET_ACCESS_KEY", "nothing",
                "RESTIC_PASSWORD", "right-password"));
        assertThat(wrongKey.tryRun(work, "snapshots").ok()).isFalse();
    }
}
