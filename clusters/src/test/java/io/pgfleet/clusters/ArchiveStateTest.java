package io.pgfleet.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When WAL archiving counts as behind, and what the members are told to archive with. */
class ArchiveStateTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Test
    void nothingWaitingOrWaitingLessThanTheDelayIsNoProblem() {
        assertThat(new ArchiveState("000000010000000000000003", NOW.minusSeconds(5), null, null, 0, null).problem(NOW, LIMIT)).isNull();
        assertThat(new ArchiveState("000000010000000000000003", NOW.minusSeconds(5), null, null, 1, NOW.minusSeconds(59)).problem(NOW, LIMIT))
                .isNull();
    }

    @Test
    void aSegmentWaitingLongerThanTheDelayIsBehindAndSaysWhyWhenArchivingFails() {
        String problem = new ArchiveState("000000010000000000000003", NOW.minusSeconds(300), "000000010000000000000004",
                NOW.minusSeconds(2), 3, NOW.minusSeconds(90)).problem(NOW, LIMIT);
        assertThat(problem).contains("3 segments waiting, the oldest for 90s (limit 60s)", "archiving 000000010000000000000004 failed",
                "last archived 000000010000000000000003");
    }

    @Test
    void aFailureOlderThanTheLastSuccessIsNotReported() {
        String problem = new ArchiveState("000000010000000000000005", NOW.minusSeconds(1), "000000010000000000000004",
                NOW.minusSeconds(200), 1, NOW.minusSeconds(61)).problem(NOW, LIMIT);
        assertThat(problem).contains("1 segment waiting").doesNotContain("failed");
    }

    @Test
    void theArchiveCommandQuotesWhatTheShellWouldSplitAndReadsFromTheMembersOwnDirectory() {
        String command = ArchiveLayout.archiveCommand("/usr/bin/pgbackrest", Path.of("/data/my root/shop/pgbackrest/pgbackrest.conf"),
                ArchiveLayout.stanza(new InstanceKey("tenant-a", "shop")), Path.of("/data/my root/shop/member-2/data"));
        assertThat(command).isEqualTo("/usr/bin/pgbackrest --config='/data/my root/shop/pgbackrest/pgbackrest.conf' --stanza=tenant-a-shop "
                + "--pg1-path='/data/my root/shop/member-2/data' archive-push %p");
    }

    @Test
    void aDocumentWithBackupsEnabledArchivesAndOneWithoutDoesNot() {
        var doc = io.pgfleet.events.json.PayloadReader.fromText("apiVersion: apps.cozystack.io/v1alpha1\nkind: Postgres\nmetadata:\n  name: shop\n"
                + "spec:\n  backup:\n    enabled: true\n    s3Bucket: backups\n", io.pgfleet.events.postgres.Postgres.class).value();
        assertThat(ClusterSpec.of(doc.spec()).archive()).isTrue();
        assertThat(ClusterSpec.of(new io.pgfleet.events.postgres.PostgresSpec(null, null, 1, null, null, null, null, null, null, null)).archive())
                .isFalse();
        // A spec stored before archiving existed reads as not archiving.
        ClusterSpec old = io.pgfleet.events.json.Json.read("{\"external\":false,\"size\":\"1Gi\",\"replicas\":1,\"storageClass\":\"local\","
                + "\"parameters\":{},\"minSyncReplicas\":0,\"maxSyncReplicas\":0}", ClusterSpec.class);
        assertThat(old.archive()).isFalse();
        assertThat(old.scaled(new io.pgfleet.events.command.ScaleCommand("shop", null, 2, null, null)).archive()).isFalse();
        assertThat(new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0, true, null).scaled(
                new io.pgfleet.events.command.ScaleCommand("shop", null, 2, null, null)).archive()).isTrue();
    }
}
