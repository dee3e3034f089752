package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a member's managed configuration says about WAL archiving. */
class MemberConfigTest {

    private static MemberConfig config(String archiveCommand) {
        return new MemberConfig("127.0.0.1", 5433, Path.of("/run/m1"), "shop", "", Map.of(), false, null, null, null, archiveCommand,
                Duration.ofSeconds(60), Duration.ofSeconds(10), null);
    }

    @Test
    void withAPoolerTheLookupRoleLogsInByCertificateFromLoopbackAndNoOtherWay() {
        MemberConfig config = new MemberConfig("127.0.0.1,10.0.0.5", 5433, Path.of("/run/m1"), "shop", "", Map.of(), true, null, null, "ab12", null,
                Duration.ofSeconds(60), Duration.ofSeconds(10), Path.of("/data/tls/ca.crt"));
        List<String> hba = config.hba().lines().filter(l -> !l.startsWith("#")).toList();
        assertThat(hba.subList(0, 3)).containsExactly("hostssl all pgfleet_pooler 127.0.0.1/32 cert", "local all pgfleet_pooler reject",
                "host all pgfleet_pooler all reject");
        assertThat(MemberConfig.settingsOf(config.files())).containsEntry("ssl_ca_file", "/data/tls/ca.crt");
        MemberConfig without = new MemberConfig("127.0.0.1", 5433, Path.of("/run/m1"), "shop", "", Map.of(), false, null, null, "ab12", null,
                Duration.ofSeconds(60), Duration.ofSeconds(10), null);
        assertThat(without.hba()).doesNotContain("pgfleet_pooler");
        assertThat(MemberConfig.settingsOf(without.files())).doesNotContainKey("ssl_ca_file");
    }

    @Test
    void aMemberOfAnArchivingInstanceArchivesWithItsCommandAndABoundedDelay() {
        Map<String, String> settings = MemberConfig.settingsOf(config("/usr/bin/pgbackrest --stanza=a-shop archive-push %p").files());
        assertThat(settings).containsEntry("archive_mode", "on").containsEntry("archive_command", "/usr/bin/pgbackrest --stanza=a-shop archive-push %p")
                .containsEntry("archive_timeout", "60s");
    }

    @Test
    void aMemberOfAnInstanceWithoutBackupsDoesNotArchive() {
        assertThat(MemberConfig.settingsOf(config(null).files())).doesNotContainKeys("archive_mode", "archive_command", "archive_timeout");
    }

    @Test
    void aCommandWithQuotesSurvivesPostgresqlConfQuoting() {
        Map<String, String> settings = MemberConfig.settingsOf(config("/bin/pgbackrest --config='/my root/x.conf' archive-push %p").files());
        assertThat(settings).containsEntry("archive_command", "/bin/pgbackrest --config='/my root/x.conf' archive-push %p");
    }

    @Test
    void aStandbyThatHasNotAnsweredForTheUnresponsiveTimeIsLetGoByItsPrimary() {
        assertThat(MemberConfig.settingsOf(config(null).files())).containsEntry("wal_sender_timeout", "10000ms");
    }
}
