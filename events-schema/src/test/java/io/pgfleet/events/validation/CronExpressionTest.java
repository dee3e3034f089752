package io.pgfleet.events.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronExpressionTest {

    private static ZonedDateTime at(String text) {
        return ZonedDateTime.parse(text);
    }

    @Test
    void dailyAtTwoFiresTheNextTwoOClock() {
        CronExpression cron = CronExpression.parse("0 2 * * *");
        assertThat(cron.next(at("2026-11-24T01:59:00Z"))).isEqualTo(at("2026-11-24T02:00:00Z"));
        assertThat(cron.next(at("2026-11-24T02:00:00Z"))).isEqualTo(at("2026-11-25T02:00:00Z"));
    }

    @Test
    void stepsRangesListsAndNames() {
        assertThat(CronExpression.parse("*/15 * * * *").next(at("2026-11-24T10:16:30Z"))).isEqualTo(at("2026-11-24T10:30:00Z"));
        assertThat(CronExpression.parse("0 9-17/4 * * MON-FRI").next(at("2026-11-28T12:00:00Z"))) // a Saturday
                .isEqualTo(at("2026-11-30T09:00:00Z"));
        assertThat(CronExpression.parse("30 3 1,15 * *").next(at("2026-11-15T03:31:00Z"))).isEqualTo(at("2026-12-01T03:30:00Z"));
        assertThat(CronExpression.parse("0 0 1 jan *").next(at("2026-11-24T00:00:00Z"))).isEqualTo(at("2027-01-01T00:00:00Z"));
        assertThat(CronExpression.parse("0 0 * * 7").next(at("2026-11-24T00:00:00Z"))).isEqualTo(at("2026-11-29T00:00:00Z"));
    }

    @Test
    void whenBothDayFieldsAreRestrictedEitherMatches() {
        // The 13th, or any Friday: after Tue 24 Nov 2026 comes Fri 27 Nov.
        assertThat(CronExpression.parse("0 0 13 * 5").next(at("2026-11-24T00:00:00Z"))).isEqualTo(at("2026-11-27T00:00:00Z"));
    }

    @Test
    void leapDayIsFound() {
        assertThat(CronExpression.parse("0 0 29 2 *").next(at("2026-03-01T00:00:00Z"))).isEqualTo(at("2028-02-29T00:00:00Z"));
    }

    @Test
    void badFieldsSayWhichFieldAndWhy() {
        assertThatThrownBy(() -> CronExpression.parse("0 24 * * *")).hasMessageContaining("hour field '24'").hasMessageContaining("0-23");
        assertThatThrownBy(() -> CronExpression.parse("0 2 * 13 *")).hasMessageContaining("month field");
        assertThatThrownBy(() -> CronExpression.parse("*/0 * * * *")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> CronExpression.parse("5-1 * * * *")).hasMessageContaining("backwards");
        assertThatThrownBy(() -> CronExpression.parse("0 2 * * * *")).hasMessageContaining("5-field");
    }

    @org.junit.jupiter.api.Test
    void anExpressionThatNeverFiresIsRefusedAtOnce() {
        for (String never : java.util.List.of("0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 2,4 *")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> CronExpression.parse(never)).as(never)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never fires");
        }
        // the 29th of February does come, every four years
        org.assertj.core.api.Assertions.assertThat(CronExpression.parse("0 0 29 2 *")
                .next(java.time.ZonedDateTime.parse("2026-12-06T00:00:00Z")).toLocalDate()).isEqualTo(java.time.LocalDate.parse("2028-02-29"));
    }
}
