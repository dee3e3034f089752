package io.pgfleet.backup.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupPlanTest {

    private static final long MB = 1024 * 1024;

    @Test
    void smallDatabasesGoWithTheRolesAndLargeOnesStreamLargestFirst() {
        BackupPlan plan = BackupPlan.of(Map.of("postgres", 7 * MB, "app", 900 * MB, "audit", 70 * MB, "tiny", 8 * MB), 64 * MB, 1024 * MB);
        assertThat(plan.together()).containsExactly("postgres", "tiny");
        assertThat(plan.streamed()).containsExactly("app", "audit");
    }

    @Test
    void theWorkDirectoryHoldsAtMostTheTotalSmallestFirst() {
        BackupPlan plan = BackupPlan.of(Map.of("a", 30 * MB, "b", 40 * MB, "c", 50 * MB, "d", 10 * MB), 64 * MB, 85 * MB);
        assertThat(plan.together()).containsExactly("d", "a", "b");
        assertThat(plan.streamed()).containsExactly("c");
    }

    @Test
    void aLimitOfZeroStreamsEveryDatabase() {
        BackupPlan plan = BackupPlan.of(Map.of("postgres", 7 * MB, "app", 9 * MB), 0, 1024 * MB);
        assertThat(plan.together()).isEmpty();
        assertThat(plan.streamed()).containsExactly("app", "postgres");
    }

    @Test
    void aDatabaseExactlyAtTheLimitGoesWithTheRoles() {
        BackupPlan plan = BackupPlan.of(Map.of("edge", 64 * MB, "over", 64 * MB + 1), 64 * MB, 1024 * MB);
        assertThat(plan.together()).containsExactly("edge");
        assertThat(plan.streamed()).containsExactly("over");
    }

    @Test
    void databasesOfTheSameSizeAreTakenInNameOrderSoEveryBackupPlansAlike() {
        BackupPlan plan = BackupPlan.of(Map.of("b", 5 * MB, "a", 5 * MB, "z", 100 * MB, "y", 100 * MB), 64 * MB, 1024 * MB);
        assertThat(plan.together()).containsExactly("a", "b");
        assertThat(plan.streamed()).containsExactly("y", "z");
    }

    @Test
    void aSmallDatabaseThatNoLongerFitsTheTotalStreamsWhileSmallerOnesStillGoTogether() {
        BackupPlan plan = BackupPlan.of(Map.of("a", 40 * MB, "b", 50 * MB, "c", 20 * MB), 64 * MB, 70 * MB);
        assertThat(plan.together()).containsExactly("c", "a");
        assertThat(plan.streamed()).containsExactly("b");
    }

    @Test
    void anInstanceWithoutDatabasesHasNothingToDumpButItsRoles() {
        BackupPlan plan = BackupPlan.of(Map.of(), 64 * MB, 1024 * MB);
        assertThat(plan.together()).isEmpty();
        assertThat(plan.streamed()).isEmpty();
    }
}
