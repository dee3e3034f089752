package io.pgfleet.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgfleet.events.validation.ValidationPolicy;
import io.pgfleet.runtime.PgfleetSettings;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ServiceMetrics metrics = new ServiceMetrics(registry, new PgfleetSettings("backup-worker", "default", "pgfleet.status", ValidationPolicy.defaults()));

    @Test
    void aJobsDurationLandsInTheBucketsOfItsKindAndOutcome() {
        metrics.jobEnded("backup", "SUCCEEDED", Duration.ofSeconds(7));
        metrics.jobEnded("backup", "SUCCEEDED", Duration.ofMinutes(3));
        metrics.jobEnded("restore", "FAILED", Duration.ofMillis(50));

        Timer backups = registry.get("pgfleet.job.duration").tags("pgfleet_service", "backup-worker", "kind", "backup", "outcome", "SUCCEEDED").timer();
        assertThat(backups.count()).isEqualTo(2);
        CountAtBucket[] buckets = backups.takeSnapshot().histogramCounts();
        assertThat(Arrays.stream(buckets).filter(b -> b.bucket(java.util.concurrent.TimeUnit.SECONDS) == 5).findFirst().orElseThrow().count()).isZero();
        assertThat(Arrays.stream(buckets).filter(b -> b.bucket(java.util.concurrent.TimeUnit.SECONDS) == 10).findFirst().orElseThrow().count()).isEqualTo(1);
        assertThat(Arrays.stream(buckets).filter(b -> b.bucket(java.util.concurrent.TimeUnit.SECONDS) == 300).findFirst().orElseThrow().count()).isEqualTo(2);
        assertThat(registry.get("pgfleet.job.duration").tags("kind", "restore", "outcome", "FAILED").timer().count()).isEqualTo(1);
    }

    @Test
    void aChangeOfPrimaryIsTimedByKindAndCause() {
        metrics.primaryChanged("failover", "unresponsive", Duration.ofMillis(12_800));
        Timer failovers = registry.get("pgfleet.primary.change.duration").tags("kind", "failover", "cause", "unresponsive").timer();
        assertThat(failovers.count()).isEqualTo(1);
        assertThat(failovers.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(12_800);
    }
}
