package io.pgfleet.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalRetentionTest {

    private static final Instant DAY0 = Instant.parse("2026-11-01T03:00:00Z");
    private static final WalRetention WEEK = new WalRetention(Duration.ofDays(7));

    private static ArchiveInfo.BaseBackup backup(int day) {
        Instant start = DAY0.plus(Duration.ofDays(day));
        return new ArchiveInfo.BaseBackup("b" + day, "full", start, start.plusSeconds(600), 1, 1, "w" + day, "w" + day);
    }

    private static final List<ArchiveInfo.BaseBackup> DAILY = List.of(backup(0), backup(1), backup(2), backup(3), backup(4),
            backup(5), backup(6), backup(7), backup(8), backup(9));

    @Test
    void theNewestBackupEndedBeforeTheWindowIsKeptAsItsBaseAndOnlyOlderOnesGo() {
        // Day 9 + 1 h: the window starts on day 2 + 1 h, which replays from backup 2 (ended day 2 + 10 min).
        Instant now = DAY0.plus(Duration.ofDays(9)).plus(Duration.ofHours(1));
        assertThat(WEEK.keepsFrom(now)).isEqualTo(DAY0.plus(Duration.ofDays(2)).plus(Duration.ofHours(1)));
        assertThat(WEEK.expired(DAILY, now)).extracting(ArchiveInfo.BaseBackup::label).containsExactly("b0", "b1");
    }

    @Test
    void aWindowStartingExactlyWhenABackupEndedReplaysFromThatBackup() {
        Instant now = backup(3).stop().plus(Duration.ofDays(7));
        assertThat(WEEK.expired(DAILY, now)).extracting(ArchiveInfo.BaseBackup::label).containsExactly("b0", "b1", "b2");
    }

    @Test
    void nothingGoesWhileTheOldestBackupIsStillTheWindowsBase() {
        assertThat(WEEK.expired(DAILY, DAY0.plus(Duration.ofDays(7)))).isEmpty();
        assertThat(WEEK.expired(DAILY, backup(1).stop().plus(Duration.ofDays(7)).minusSeconds(1))).isEmpty();
        assertThat(WEEK.expired(List.of(), DAY0)).isEmpty();
    }

    @Test
    void theNewestBackupStaysWhenEveryBackupIsOlderThanTheWindow() {
        Instant later = DAY0.plus(Duration.ofDays(100));
        assertThat(WEEK.expired(DAILY, later)).extracting(ArchiveInfo.BaseBackup::label)
                .containsExactly("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8");
    }
}
