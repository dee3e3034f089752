package io.pgfleet.provisioner.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgfleet.clusters.ArchiveState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiveMetricsTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void eachArchivingInstanceHasItsAgeAndBacklogAndADeletedOneLosesThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ArchiveMetrics metrics = new ArchiveMetrics(registry, Clock.fixed(NOW, ZoneOffset.UTC));
        metrics.seen("tenant-a/shop", new ArchiveState("000000010000000000000007", NOW.minusSeconds(42), null, null, 3, NOW.minusSeconds(30)));
        metrics.seen("tenant-a/quiet", null);   // does not archive: no gauge

        assertThat(registry.get("pgfleet.wal.archive.age").tag("pgfleet_instance", "tenant-a/shop").gauge().value()).isEqualTo(42.0);
        assertThat(registry.get("pgfleet.wal.archive.waiting").tag("pgfleet_instance", "tenant-a/shop").gauge().value()).isEqualTo(3.0);
        assertThat(registry.find("pgfleet.wal.archive.age").tag("pgfleet_instance", "tenant-a/quiet").gauge()).isNull();

        // Seen again: the same gauge reads the newer observation.
        metrics.seen("tenant-a/shop", new ArchiveState("000000010000000000000009", NOW.minusSeconds(2), null, null, 0, null));
        assertThat(registry.find("pgfleet.wal.archive.age").gauges()).hasSize(1);
        assertThat(registry.get("pgfleet.wal.archive.age").tag("pgfleet_instance", "tenant-a/shop").gauge().value()).isEqualTo(2.0);

        metrics.retain(List.of("tenant-a/other"));
        assertThat(registry.find("pgfleet.wal.archive.age").gauges()).isEmpty();
        assertThat(registry.find("pgfleet.wal.archive.waiting").gauges()).isEmpty();
    }
}
