package io.pgfleet.clusters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.kubernetes.DrillPlan.Action;
import io.pgfleet.clusters.kubernetes.DrillPlan.Seen;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DrillPlanTest {

    private static final Duration LIMIT = Duration.ofHours(2);

    @Test
    void aDrillsClusterIsMadeWaitedForAndHandedOutOnce() {
        assertThat(DrillPlan.next(Seen.ABSENT, Duration.ZERO, LIMIT)).isEqualTo(Action.CREATE);
        assertThat(DrillPlan.next(Seen.MAKING, Duration.ofMinutes(5), LIMIT)).isEqualTo(Action.WAIT);
        assertThat(DrillPlan.next(Seen.READY, Duration.ofMinutes(6), LIMIT)).isEqualTo(Action.TAKE);
        // handed out before, to a drill that was killed: it may hold half a restore, so it is made again, never reused
        assertThat(DrillPlan.next(Seen.TAKEN, Duration.ofMinutes(7), LIMIT)).isEqualTo(Action.REMAKE);
        assertThat(DrillPlan.next(Seen.DELETING, Duration.ZERO, LIMIT)).isEqualTo(Action.WAIT);
    }

    @Test
    void aClusterNeverReadyInTimeOrNotTheDrillsFailsTheDrillAndIsNeverTakenOver() {
        // a recovery whose target the store does not reach never becomes ready
        assertThat(DrillPlan.next(Seen.MAKING, LIMIT.plusSeconds(1), LIMIT)).isEqualTo(Action.FAIL);
        assertThat(DrillPlan.next(Seen.MAKING, LIMIT, LIMIT)).isEqualTo(Action.WAIT);
        for (Duration age : new Duration[] {Duration.ZERO, LIMIT.plusHours(1)}) {
            assertThat(DrillPlan.next(Seen.FOREIGN, age, LIMIT)).isEqualTo(Action.FAIL);
        }
        // only a ready Cluster is handed out, only a handed-out one is deleted by the plan
        for (Seen seen : Seen.values()) {
            assertThat(DrillPlan.next(seen, Duration.ZERO, LIMIT) == Action.TAKE).isEqualTo(seen == Seen.READY);
            assertThat(DrillPlan.next(seen, Duration.ZERO, LIMIT) == Action.REMAKE).isEqualTo(seen == Seen.TAKEN);
        }
    }
}
