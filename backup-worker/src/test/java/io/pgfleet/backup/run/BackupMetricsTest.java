package io.pgfleet.backup.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.validation.CronExpression;
import java.time.Duration;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class BackupMetricsTest {

    private static final ZonedDateTime NOW = ZonedDateTime.parse("2026-12-01T10:00:00Z");

    @Test
    void theLongestGapOfASchedule() {
        assertThat(BackupMetrics.longestGap(CronExpression.parse("0 2 * * *"), NOW)).isEqualTo(Duration.ofDays(1));
        assertThat(BackupMetrics.longestGap(CronExpression.parse("*/15 * * * *"), NOW)).isEqualTo(Duration.ofMinutes(15));
        // Weekdays only: Friday to Monday is the longest gap.
        assertThat(BackupMetrics.longestGap(CronExpression.parse("0 3 * * 1-5"), NOW)).isEqualTo(Duration.ofDays(3));
        assertThat(BackupMetrics.longestGap(CronExpression.parse("0 1,13 * * *"), NOW)).isEqualTo(Duration.ofHours(12));
    }
}
