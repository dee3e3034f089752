package io.pgfleet.clusters.local;

import static io.pgfleet.clusters.local.RecoveryPlan.Action.BEGIN;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.ENDED_EARLY;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.FINISH_PROMOTION;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.KEEP_OWN_FILES;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.MAKE_OWN;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.PROMOTE;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.RESTORE;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.START_PRIMARY;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.STOP_MEMBER;
import static io.pgfleet.clusters.local.RecoveryPlan.Action.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.local.RecoveryPlan.Replay;
import io.pgfleet.clusters.local.RecoveryPlan.Seen;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecoveryPlanTest {

    private static final Replay REPLAYING = new Replay(true, "not paused", "0/3000060", null);
    private static final Replay PAUSED = new Replay(true, "paused", "0/3000148", Instant.parse("2026-11-30T12:00:00Z"));
    private static final Replay PROMOTED = new Replay(false, null, null, null);

    @Test
    void aRestoreStopsEveryMemberKeepsTheOwnFilesRestoresReplaysPromotesAndMakesTheInstanceItsOwn() {
        assertThat(RecoveryPlan.next(new Seen(null, "shop-1", true, false, null))).isEqualTo(BEGIN);
        assertThat(RecoveryPlan.next(new Seen("fencing", "shop-2", true, false, null))).isEqualTo(STOP_MEMBER);
        assertThat(RecoveryPlan.next(new Seen("fencing", null, false, false, null))).isEqualTo(KEEP_OWN_FILES);
        assertThat(RecoveryPlan.next(new Seen("restoring", null, false, false, null))).isEqualTo(RESTORE);
        assertThat(RecoveryPlan.next(new Seen("restored", null, false, false, null))).isEqualTo(START_PRIMARY);
        assertThat(RecoveryPlan.next(new Seen("restored", "shop-1", true, false, null))).isEqualTo(WAIT);
        assertThat(RecoveryPlan.next(new Seen("restored", "shop-1", true, false, REPLAYING))).isEqualTo(WAIT);
        assertThat(RecoveryPlan.next(new Seen("restored", "shop-1", true, false, PAUSED))).isEqualTo(PROMOTE);
        assertThat(RecoveryPlan.next(new Seen("reached", "shop-1", true, false, PROMOTED))).isEqualTo(MAKE_OWN);
    }

    @Test
    void nothingIsRestoredWhileAMemberStillRunsAndAReplayThatRanOutOfWalIsNotStartedAgain() {
        for (String running : new String[] {"shop-1", "shop-2", "shop-3"}) {
            assertThat(RecoveryPlan.next(new Seen("fencing", running, running.equals("shop-1"), false, null))).isEqualTo(STOP_MEMBER);
        }
        assertThat(RecoveryPlan.next(new Seen("restored", null, false, true, null))).isEqualTo(ENDED_EARLY);
    }

    @Test
    void aSuccessorOfAKilledWorkerTakesItFromWhereItStands() {
        // Killed after writing "reached" but before the promotion took: it is paused at the time again.
        assertThat(RecoveryPlan.next(new Seen("reached", "shop-1", true, false, PAUSED))).isEqualTo(FINISH_PROMOTION);
        // Killed with the primary stopped after the promotion (a restart for its parameters): start it, then finish.
        assertThat(RecoveryPlan.next(new Seen("reached", null, false, false, null))).isEqualTo(START_PRIMARY);
        assertThat(RecoveryPlan.next(new Seen("reached", "shop-1", true, false, null))).isEqualTo(WAIT);
        // Promoted before "reached" was written: made its own without promoting again.
        assertThat(RecoveryPlan.next(new Seen("restored", "shop-1", true, false, PROMOTED))).isEqualTo(MAKE_OWN);
        // Killed in the middle of the restore: restored again (a delta restore over what is there).
        assertThat(RecoveryPlan.next(new Seen("restoring", null, false, false, null))).isEqualTo(RESTORE);
    }
}
