package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.local.FailoverPlanner.Decision;
import io.pgfleet.clusters.local.FailoverPlanner.Situation;
import io.pgfleet.clusters.local.FailoverPlanner.Standby;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who becomes the primary, without a server. */
class FailoverPlannerTest {

    private static final Duration DELAY = Duration.ofSeconds(10);
    private static final List<String> FOUR = List.of("pg-2", "pg-3", "pg-4", "pg-5");

    private static final Duration UNRESPONSIVE_AFTER = Duration.ofSeconds(10);

    private static Situation down(boolean intact, Duration downFor, int quorum, List<Standby> standbys) {
        return new Situation(1, false, false, Duration.ZERO, UNRESPONSIVE_AFTER, false, intact, downFor, DELAY, quorum, FOUR, standbys, List.of(), List.of());
    }

    /** A primary whose postmaster runs but which has not answered for {@code silentFor}. */
    private static Situation silent(Duration silentFor, int quorum, List<Standby> standbys) {
        return new Situation(1, true, false, silentFor, UNRESPONSIVE_AFTER, false, true, Duration.ZERO, DELAY, quorum, FOUR, standbys, List.of(), List.of());
    }

    private static Situation answering(int primary, boolean promoting, List<Standby> standbys, List<Integer> rejoining) {
        return new Situation(primary, true, true, Duration.ZERO, UNRESPONSIVE_AFTER, promoting, true, Duration.ZERO, DELAY, 2, FOUR, standbys,
                rejoining, List.of());
    }

    private static Standby up(int index, long lsn) {
        return new Standby(index, "pg-" + index, true, lsn);
    }

    private static Standby lost(int index) {
        return new Standby(index, "pg-" + index, false, null);
    }

    @Test
    void aRunningPrimaryIsLeftAlone() {
        assertThat(FailoverPlanner.next(answering(1, false, List.of(up(2, 10)), List.of()))).isEqualTo(new Decision.Proceed());
    }

    @Test
    void aStoppedPrimaryWithIntactDataGetsItsDelayToStartAgain() {
        assertThat(FailoverPlanner.next(down(true, Duration.ofSeconds(3), 2, List.of(up(2, 10), up(3, 20), up(4, 5), up(5, 7)))))
                .isEqualTo(new Decision.Proceed());
    }

    @Test
    void afterTheDelayTheStandbyThatReceivedMostIsPromoted() {
        Decision decision = FailoverPlanner.next(down(true, Duration.ofSeconds(11), 2, List.of(up(2, 10), up(3, 20), up(4, 5), up(5, 7))));
        assertThat(decision).isInstanceOf(Decision.Promote.class);
        assertThat(((Decision.Promote) decision).index()).isEqualTo(3);
        assertThat(((Decision.Promote) decision).why()).contains("did not come back within 10s");
    }

    @Test
    void aPrimaryWhoseDataIsGoneIsReplacedAtOnce() {
        Decision decision = FailoverPlanner.next(down(false, Duration.ZERO, 2, List.of(up(2, 10), up(3, 20), lost(4), up(5, 30))));
        assertThat(decision).isEqualTo(new Decision.Promote(5, 30, "the primary's data directory is gone or damaged", "data lost", false));
    }

    @Test
    void onEqualPositionsTheLowestIndexWins() {
        assertThat(FailoverPlanner.next(down(false, Duration.ZERO, 1, List.of(up(4, 20), up(2, 20), up(3, 20), up(5, 1)))))
                .isEqualTo(new Decision.Promote(2, 20, "the primary's data directory is gone or damaged", "data lost", false));
    }

    @Test
    void withAnyTwoOfFourThreeStandbysMustAnswerOrNobodyIsPromoted() {
        // ANY 2 of 4: a commit was acknowledged by 2 of them; with only 2 answering, both could be the ones that did not.
        Decision decision = FailoverPlanner.next(down(false, Duration.ZERO, 2, List.of(up(2, 10), up(3, 20), lost(4), lost(5))));
        assertThat(decision).isInstanceOf(Decision.Refuse.class);
        assertThat(((Decision.Refuse) decision).reason()).contains("only 2 of the 4 synchronous standbys answer", "ANY 2 at least 3 must");
        assertThat(FailoverPlanner.next(down(false, Duration.ZERO, 2, List.of(up(2, 10), up(3, 20), up(4, 1), lost(5)))))
                .isEqualTo(new Decision.Promote(3, 20, "the primary's data directory is gone or damaged", "data lost", false));
    }

    @Test
    void withoutSynchronousStandbysTheMostAdvancedAnsweringStandbyIsPromoted() {
        Situation async = new Situation(1, false, false, Duration.ZERO, UNRESPONSIVE_AFTER, false, false, Duration.ZERO, DELAY, 0, List.of(),
                List.of(up(2, 3), lost(3)), List.of(), List.of());
        assertThat(FailoverPlanner.next(async)).isEqualTo(new Decision.Promote(2, 3, "the primary's data directory is gone or damaged", "data lost", false));
    }

    @Test
    void anInstanceWithoutStandbysHasNobodyToFailOverTo() {
        assertThat(FailoverPlanner.next(down(false, Duration.ofHours(1), 0, List.of()))).isEqualTo(new Decision.Proceed());
    }

    @Test
    void aDesignatedPrimaryStillInRecoveryIsPromotedFirstAndAFormerPrimaryRejoinsOnceTheNewOneServes() {
        assertThat(FailoverPlanner.next(answering(3, true, List.of(up(2, 1)), List.of(1)))).isEqualTo(new Decision.FinishPromotion(3));
        assertThat(FailoverPlanner.next(answering(3, false, List.of(up(2, 1)), List.of(1)))).isEqualTo(new Decision.Rejoin(1));
    }

    @Test
    void aStandbyThatCanNeverStreamAgainIsCopiedAgainOnceNoFormerPrimaryWaitsToRejoin() {
        Situation lost = new Situation(1, true, true, Duration.ZERO, UNRESPONSIVE_AFTER, false, true, Duration.ZERO, DELAY, 1, FOUR,
                List.of(), List.of(), List.of(new FailoverPlanner.Lost(3, FailoverPlanner.DATA_LOST), new FailoverPlanner.Lost(2, FailoverPlanner.SLOT_LOST)));
        assertThat(FailoverPlanner.next(lost)).isEqualTo(new Decision.CopyAgain(3, FailoverPlanner.DATA_LOST));
        Situation rejoining = new Situation(1, true, true, Duration.ZERO, UNRESPONSIVE_AFTER, false, true, Duration.ZERO, DELAY, 1, FOUR,
                List.of(), List.of(4), List.of(new FailoverPlanner.Lost(3, FailoverPlanner.DATA_LOST)));
        assertThat(FailoverPlanner.next(rejoining)).isEqualTo(new Decision.Rejoin(4));
    }

    @Test
    void aPrimaryThatRunsButDoesNotAnswerIsWaitedForThenGivenUpLikeAStoppedOne() {
        List<Standby> standbys = List.of(up(2, 10), up(3, 20), up(4, 5), up(5, 7));
        Decision early = FailoverPlanner.next(silent(Duration.ofSeconds(4), 2, standbys));
        assertThat(early).isInstanceOf(Decision.Wait.class);
        assertThat(((Decision.Wait) early).reason()).contains("has not answered for 4s", "given up after 10s");
        assertThat(FailoverPlanner.next(silent(Duration.ofSeconds(10), 2, standbys)))
                .isEqualTo(new Decision.Promote(3, 20, "the primary did not answer for 10s", "unresponsive", true));
        // Its failover delay is for a stopped primary whose data is intact: a silent one is given up at unresponsive-after.
        assertThat(silent(Duration.ofSeconds(10), 2, standbys).primaryHung()).isTrue();
        assertThat(silent(Duration.ofSeconds(9), 2, standbys).primaryHung()).isFalse();
        assertThat(FailoverPlanner.causeOf(silent(Duration.ofSeconds(10), 2, standbys))).isEqualTo("unresponsive");
        assertThat(FailoverPlanner.causeOf(down(true, Duration.ofSeconds(11), 2, standbys))).isEqualTo("stopped");
        assertThat(FailoverPlanner.causeOf(down(false, Duration.ZERO, 2, standbys))).isEqualTo("data lost");
    }

    @Test
    void aSilentPrimaryGoesByTheQuorumRuleAndIsKilledToStartAgainWhenNobodyMayTakeOver() {
        // ANY 2 of 4 with two answering: nobody may take over without losing acknowledged commits. A stopped primary is
        // waited for; a hung one is killed, so that it starts again rather than hang for ever.
        Decision hung = FailoverPlanner.next(silent(Duration.ofSeconds(30), 2, List.of(up(2, 10), up(3, 20), lost(4), lost(5))));
        assertThat(hung).isInstanceOf(Decision.Kill.class);
        assertThat(((Decision.Kill) hung).why()).contains("did not answer for 30s", "only 2 of the 4 synchronous standbys answer");
        assertThat(FailoverPlanner.next(silent(Duration.ofSeconds(30), 0, List.of()))).isEqualTo(
                new Decision.Kill(1, "the primary did not answer for 30s and no standby can take over"));
        assertThat(FailoverPlanner.next(down(false, Duration.ZERO, 2, List.of(up(2, 10), up(3, 20), lost(4), lost(5)))))
                .isInstanceOf(Decision.Refuse.class);
    }

    @Test
    void theQuorumInForceIsReadFromTheSetting() {
        assertThat(FailoverPlanner.quorumOf("ANY 2 (\"pg-2\", \"pg-3\", \"pg-4\")")).isEqualTo(2);
        assertThat(FailoverPlanner.namesOf("ANY 2 (\"pg-2\", \"pg-3\", \"pg-4\")")).containsExactly("pg-2", "pg-3", "pg-4");
        assertThat(FailoverPlanner.quorumOf("")).isZero();
        assertThat(FailoverPlanner.quorumOf("pg-2")).isEqualTo(1);
    }
}
