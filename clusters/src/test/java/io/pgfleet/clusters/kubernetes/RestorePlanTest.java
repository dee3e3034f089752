package io.pgfleet.clusters.kubernetes;

import static io.pgfleet.clusters.kubernetes.RestorePlan.Action.CREATE_RECOVERED;
import static io.pgfleet.clusters.kubernetes.RestorePlan.Action.DELETE_CLUSTER;
import static io.pgfleet.clusters.kubernetes.RestorePlan.Action.DONE;
import static io.pgfleet.clusters.kubernetes.RestorePlan.Action.FAIL;
import static io.pgfleet.clusters.kubernetes.RestorePlan.Action.FINISH;
import static io.pgfleet.clusters.kubernetes.RestorePlan.Action.RECORD;
import static io.pgfleet.clusters.kubernetes.RestorePlan.Action.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.kubernetes.RestorePlan.ClusterSeen;
import io.pgfleet.clusters.kubernetes.RestorePlan.RecordSeen;
import org.junit.jupiter.api.Test;

class RestorePlanTest {

    @Test
    void aRestoreRecordsItsPlanBeforeTheOriginalGoesThenRecreatesAndEndsWhenHealthy() {
        assertThat(RestorePlan.next(ClusterSeen.ANOTHER, RecordSeen.NONE)).isEqualTo(RECORD);
        assertThat(RestorePlan.next(ClusterSeen.ANOTHER, RecordSeen.THIS)).isEqualTo(DELETE_CLUSTER);
        assertThat(RestorePlan.next(ClusterSeen.DELETING, RecordSeen.THIS)).isEqualTo(WAIT);
        assertThat(RestorePlan.next(ClusterSeen.ABSENT, RecordSeen.THIS)).isEqualTo(CREATE_RECOVERED);
        assertThat(RestorePlan.next(ClusterSeen.RECOVERING, RecordSeen.THIS)).isEqualTo(WAIT);
        assertThat(RestorePlan.next(ClusterSeen.RECOVERED, RecordSeen.THIS)).isEqualTo(FINISH);
    }

    @Test
    void aSuccessorOfAKilledWorkerFinishesWhatWasStartedAndNeverDeletesBeforeRecording() {
        // Killed after the record was removed: done, nothing else touched.
        assertThat(RestorePlan.next(ClusterSeen.RECOVERED, RecordSeen.NONE)).isEqualTo(DONE);
        // Killed after deleting the original: the record alone makes the Cluster again.
        assertThat(RestorePlan.next(ClusterSeen.ABSENT, RecordSeen.THIS)).isEqualTo(CREATE_RECOVERED);
        // Without a record nothing is deleted; with no Cluster and no record there is nothing to restore into.
        for (ClusterSeen seen : ClusterSeen.values()) {
            assertThat(RestorePlan.next(seen, RecordSeen.NONE)).isNotIn(DELETE_CLUSTER, CREATE_RECOVERED, FINISH);
        }
        assertThat(RestorePlan.next(ClusterSeen.ABSENT, RecordSeen.NONE)).isEqualTo(FAIL);
    }

    @Test
    void aNewCommandTakesOverAnUnfinishedRestoreByRecordingItselfFirst() {
        for (ClusterSeen seen : new ClusterSeen[] {ClusterSeen.ABSENT, ClusterSeen.ANOTHER, ClusterSeen.RECOVERING, ClusterSeen.RECOVERED}) {
            assertThat(RestorePlan.next(seen, RecordSeen.ANOTHER)).as(seen.name()).isEqualTo(RECORD);
        }
        assertThat(RestorePlan.next(ClusterSeen.DELETING, RecordSeen.ANOTHER)).isEqualTo(WAIT);
    }
}
