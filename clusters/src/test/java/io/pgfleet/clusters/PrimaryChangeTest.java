package io.pgfleet.clusters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PrimaryChangeTest {

    @Test
    void theEventsDetailsAreInOrderAndLeaveOutWhatIsUnknown() {
        PrimaryChange local = new PrimaryChange("Failover", "unresponsive", "pg-1", "pg-1 (killed)", "pg-2", "the primary did not answer for 10s",
                Instant.parse("2026-12-06T19:00:00Z"), "0/3000060");
        assertThat(local.details()).containsExactly(
                entry("kind", "Failover"), entry("cause", "unresponsive"),
                entry("oldPrimary", "pg-1"), entry("fenced", "pg-1 (killed)"),
                entry("newPrimary", "pg-2"),
                entry("why", "the primary did not answer for 10s"),
                entry("primaryDownSince", "2026-12-06T19:00:00Z"),
                entry("receivedLsn", "0/3000060"));
        PrimaryChange byItself = new PrimaryChange("Failover", null, "pg-1", null, "pg-2", "the cluster changed its primary by itself",
                Instant.parse("2026-12-06T19:00:00Z"), null);
        assertThat(byItself.details()).containsOnlyKeys("kind", "oldPrimary", "newPrimary", "why", "primaryDownSince");
        // a fresh map each time: the caller adds to it
        byItself.details().put("startedAt", "now");
        assertThat(byItself.details()).doesNotContainKey("startedAt");
    }
}
