package io.pgfleet.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pgBackRest configuration and what its {@code info} says, without pgBackRest. */
class PgBackRestConfigTest {

    private static final InstanceKey SHOP = new InstanceKey("tenant-a", "shop");

    private static PgBackRestConfig config(String endpoint) {
        return new PgBackRestConfig(PgBackRestConfig.stanza(SHOP), endpoint, "backups", "eu-west-1", PgBackRestConfig.repoPath("pg", SHOP),
                null, java.util.List.of(new io.pgfleet.clusters.ArchiveLayout.MemberPaths("shop-1", Path.of("/data/m1"), 5433, Path.of("/run/m1"),
                        true, true)), Path.of("/work"), Duration.ofSeconds(60));
    }

    @Test
    void theRepositoryIsEncryptedS3OverTlsUnderItsOwnPathBesideTheResticRepositories() {
        String text = config("https://s3.example.com").render("AK", "SK", "cipher");
        assertThat(text).contains("repo1-type=s3\n", "repo1-s3-endpoint=s3.example.com\n", "repo1-s3-bucket=backups\n", "repo1-s3-region=eu-west-1\n",
                "repo1-path=/pg/_wal/tenant-a/shop\n", "repo1-cipher-type=aes-256-cbc\n", "repo1-cipher-pass=cipher\n", "archive-async=y\n",
                "[tenant-a-shop]\npg1-path=/data/m1\npg1-port=5433\npg1-socket-path=/run/m1\n");
        assertThat(text).doesNotContain("repo1-storage-port", "repo1-storage-ca-file");
        assertThat(PgBackRestConfig.repoPath("", SHOP)).isEqualTo("/_wal/tenant-a/shop");
    }

    @Test
    void withARunningStandbyBaseBackupsCopyFromItAndPgBackRestNeverExpiresByItself() {
        PgBackRestConfig two = new PgBackRestConfig(PgBackRestConfig.stanza(SHOP), "https://s3.example.com", "backups", "eu-west-1",
                PgBackRestConfig.repoPath("", SHOP), Path.of("/ca.crt"), java.util.List.of(
                        new io.pgfleet.clusters.ArchiveLayout.MemberPaths("shop-1", Path.of("/data/m1"), 5433, Path.of("/run/m1"), true, true),
                        new io.pgfleet.clusters.ArchiveLayout.MemberPaths("shop-2", Path.of("/data/m2"), 5434, Path.of("/run/m2"), false, true)),
                Path.of("/work"), Duration.ofSeconds(60));
        String text = two.render("AK", "SK", "cipher");
        assertThat(text).contains("backup-standby=y\n", "repo1-retention-full-type=count\n", "repo1-retention-full=9999999\n",
                "repo1-storage-ca-file=/ca.crt\n", "pg1-path=/data/m1\n", "pg2-path=/data/m2\npg2-port=5434\npg2-socket-path=/run/m2\n");
        assertThat(config("https://s3.example.com").render("AK", "SK", "c")).doesNotContain("backup-standby", "pg2-");
    }

    @Test
    void aLoopbackEndpointIsReachedAsLocalhostOnItsPort() {
        assertThat(config("https://127.0.0.1:9443").options("AK", "SK", "c")).containsEntry("repo1-s3-endpoint", "localhost")
                .containsEntry("repo1-storage-port", "9443");
    }

    @Test
    void infoGivesTheBaseBackupsOldestFirstTheArchivedWalAndTheEarliestRestorableTime() {
        ArchiveInfo info = ArchiveInfo.parse("""
                [{"archive":[{"database":{"id":1,"repo-key":1},"id":"15-1","max":"000000010000000000000009","min":"000000010000000000000001"}],
                  "backup":[
                   {"archive":{"start":"000000010000000000000007","stop":"000000010000000000000007"},"info":{"repository":{"size":100},"size":2000},
                    "label":"20261130-180000F_20261130-190000I","timestamp":{"start":1796065200,"stop":1796065210},"type":"incr"},
                   {"archive":{"start":"000000010000000000000005","stop":"000000010000000000000005"},"info":{"repository":{"size":4553456},"size":23066323},
                    "label":"20261130-180000F","timestamp":{"start":1796061600,"stop":1796061618},"type":"full"}],
                  "name":"tenant-a-shop","status":{"code":0,"message":"ok"}}]
                """);
        assertThat(info.status()).isEqualTo("ok");
        assertThat(info.backups()).extracting(ArchiveInfo.BaseBackup::label).containsExactly("20261130-180000F", "20261130-180000F_20261130-190000I");
        assertThat(info.earliest()).contains(Instant.ofEpochSecond(1796061618));
        assertThat(info.latest().orElseThrow().type()).isEqualTo("incr");
        assertThat(info.walMin()).isEqualTo("000000010000000000000001");
        assertThat(info.walMax()).isEqualTo("000000010000000000000009");
        assertThat(info.backups().get(0).repositorySize()).isEqualTo(4553456);
        assertThat(ArchiveInfo.parse("[{\"name\":\"x\",\"status\":{\"code\":1,\"message\":\"missing stanza path\"}}]").earliest()).isEmpty();
    }

    @Test
    void theRecoveryWindowRunsFromTheOldestBaseBackupToTheLastArchivedWalAndRefusesTimesOutsideIt() {
        ArchiveInfo info = ArchiveInfo.parse("""
                [{"backup":[{"label":"F1","type":"full","timestamp":{"start":1796061600,"stop":1796061618},"info":{"size":1,"repository":{"size":1}}}],
                  "archive":[{"min":"000000010000000000000001","max":"000000010000000000000009"}],"status":{"code":0,"message":"ok"}}]
                """);
        Instant last = Instant.ofEpochSecond(1796065200);
        RecoveryWindow window = RecoveryWindow.of(info, last).orElseThrow();
        assertThat(window.earliest()).isEqualTo(Instant.ofEpochSecond(1796061618));
        assertThat(window.refuse(Instant.ofEpochSecond(1796063000))).isEmpty();
        assertThat(window.refuse(Instant.ofEpochSecond(1796061000)).orElseThrow())
                .contains("outside the recovery window", window.earliest().toString(), last.toString(), "oldest base backup");
        assertThat(window.refuse(last.plusSeconds(1)).orElseThrow()).contains("newest archived WAL");
        assertThat(RecoveryWindow.of(info, Instant.ofEpochSecond(1796061000))).as("nothing archived after the base backup").isEmpty();
        assertThat(RecoveryWindow.of(ArchiveInfo.parse("[]"), last)).as("no base backup").isEmpty();
    }

    @Test
    void aValueThatWouldStartALineIsNeverWritten() {
        for (String value : java.util.List.of("AK\nrecovery-option=restore_command=touch /tmp/pwned", "AK\rx", "AK\u0000", "AK\u2028x")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> config("https://s3.example.com").render(value, "SK", "c"))
                    .hasMessageContaining("repo1-s3-key holds a control character").hasMessageNotContaining("pwned");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> config("https://s3.example.com").render("AK", "SK", value))
                    .hasMessageContaining("repo1-cipher-pass holds a control character");
        }
    }
}
