package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.local.MemberCreation.Action;
import io.pgfleet.clusters.local.MemberCreation.Disk;
import org.junit.jupiter.api.Test;

class MemberCreationTest {

    @Test
    void aDirectoryWhoseDataWasNeverFinishedIsMadeAgain() {
        assertThat(MemberCreation.next(new Disk(false, false, false))).isEqualTo(Action.MAKE_DATA);
    }

    @Test
    void dataThatWasFinishedButNeverStartedIsResumedNotMadeAgain() {
        assertThat(MemberCreation.next(new Disk(true, false, false))).isEqualTo(Action.RESUME);
    }

    @Test
    void dataThatServedIsResumedEvenWithoutTheMarker() {
        // a primary made before the marker existed, killed between its start and "complete"
        assertThat(MemberCreation.next(new Disk(false, true, false))).isEqualTo(Action.RESUME);
        assertThat(MemberCreation.next(new Disk(true, true, false))).isEqualTo(Action.RESUME);
    }

    @Test
    void aCompleteMemberNeedsNothing() {
        assertThat(MemberCreation.next(new Disk(true, true, true))).isEqualTo(Action.NONE);
        assertThat(MemberCreation.next(new Disk(false, false, true))).isEqualTo(Action.NONE);
    }
}
