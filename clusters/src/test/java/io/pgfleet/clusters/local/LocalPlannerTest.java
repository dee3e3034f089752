package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.local.LocalPlanner.Action;
import io.pgfleet.clusters.local.LocalPlanner.MemberState;
import io.pgfleet.clusters.local.MemberCreation.Disk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The local driver's order of steps, without a server. */
class LocalPlannerTest {

    private static final Disk NEW = new Disk(false, false, false);
    private static final Disk MADE = new Disk(true, false, false);
    private static final Disk SERVED = new Disk(true, true, false);
    private static final Disk COMPLETE = new Disk(true, true, true);
    private static final Map<String, String> FILES = Map.of("pgfleet-parameters.conf", "work_mem = '8MB'\n");
    private static final Map<String, String> CHANGED = Map.of("pgfleet-parameters.conf", "work_mem = '16MB'\n");

    private static MemberState member(int index, Disk disk, boolean running) {
        return new MemberState(index, disk, running, FILES, FILES, Optional.empty(), true);
    }

    /** {@code n} complete, running, configured members. */
    private static List<MemberState> ready(int n) {
        return new ArrayList<>(IntStream.rangeClosed(1, n).mapToObj(i -> member(i, COMPLETE, true)).toList());
    }

    private static List<Integer> indexes(int n) {
        return IntStream.rangeClosed(1, n).boxed().toList();
    }

    @Test
    void aNewInstanceStartsWithTheDataOfItsPrimary() {
        assertThat(LocalPlanner.next(List.of(), List.of(member(1, NEW, false), member(2, NEW, false))))
                .isEqualTo(new Action.MakeData(1, true));
    }

    @Test
    void aPrimaryMadeAgainWhileAnotherMemberHoldsDataIsNotTheInstancesFirstData() {
        // its password is the instance's for good: no warm-pool directory (which brings its own) may be taken
        assertThat(LocalPlanner.next(indexes(2), List.of(member(1, NEW, false), member(2, MADE, false))))
                .isEqualTo(new Action.MakeData(1, false));
        assertThat(LocalPlanner.next(indexes(2), List.of(member(1, NEW, false), member(2, SERVED, false))))
                .isEqualTo(new Action.MakeData(1, false));
    }

    @Test
    void aPrimaryWhoseDataIsMadeIsResumedNotMadeAgain() {
        assertThat(LocalPlanner.next(indexes(2), List.of(member(1, MADE, false), member(2, NEW, false)))).isEqualTo(new Action.Resume(1));
    }

    @Test
    void aPrimaryThatServedButWasNotMarkedCompleteIsResumedEvenWhenItRuns() {
        // the user-manager may already have written to it: never initialised again
        assertThat(LocalPlanner.next(indexes(2), List.of(member(1, SERVED, true), member(2, NEW, false)))).isEqualTo(new Action.Resume(1));
    }

    @Test
    void replicasAreCopiedSideBySideOnceThePrimaryIsComplete() {
        assertThat(LocalPlanner.next(indexes(3), List.of(member(1, COMPLETE, true), member(2, COMPLETE, true), member(3, NEW, false))))
                .isEqualTo(new Action.CopyReplicas(List.of(3)));
        assertThat(LocalPlanner.next(indexes(3), List.of(member(1, COMPLETE, true), member(2, NEW, false), member(3, NEW, false))))
                .isEqualTo(new Action.CopyReplicas(List.of(2, 3)));
    }

    @Test
    void atMostFourReplicasAreCopiedAtOnceEachCopyHoldingTwoOfThePrimarysWalSenders() {
        List<MemberState> members = new ArrayList<>(List.of(member(1, COMPLETE, true)));
        IntStream.rangeClosed(2, 7).forEach(i -> members.add(member(i, NEW, false)));
        assertThat(LocalPlanner.next(indexes(7), members)).isEqualTo(new Action.CopyReplicas(List.of(2, 3, 4, 5)));
    }

    @Test
    void copiedReplicasAreStartedSideBySideOnceCertifiedWhileAnotherIsStillToCopy() {
        List<MemberState> members = List.of(member(1, COMPLETE, true), member(2, MADE, false), member(3, MADE, false), member(4, NEW, false));
        assertThat(LocalPlanner.next(indexes(4), members)).isEqualTo(new Action.ResumeReplicas(List.of(2, 3)));
        List<MemberState> uncertified = List.of(member(1, COMPLETE, true), new MemberState(2, MADE, false, FILES, FILES, Optional.empty(), false),
                member(3, MADE, false));
        assertThat(LocalPlanner.next(indexes(3), uncertified)).isEqualTo(new Action.IssueCertificate(2));
    }

    @Test
    void aReplicaIsMadeOnlyFromARunningPrimary() {
        assertThat(LocalPlanner.next(indexes(2), List.of(member(1, COMPLETE, false), member(2, NEW, false))))
                .isEqualTo(new Action.StartPrimary());
        assertThat(LocalPlanner.next(indexes(2), List.of(member(1, COMPLETE, false), member(2, MADE, false))))
                .isEqualTo(new Action.StartPrimary());
    }

    @Test
    void aCopiedReplicaIsResumed() {
        assertThat(LocalPlanner.next(indexes(2), List.of(member(1, COMPLETE, true), member(2, MADE, false)))).isEqualTo(new Action.ResumeReplicas(List.of(2)));
    }

    @Test
    void membersBeyondTheDesiredCountGoFirstTheLastOneFirst() {
        assertThat(LocalPlanner.next(indexes(5), ready(3))).isEqualTo(new Action.Remove(5));
        assertThat(LocalPlanner.next(List.of(1, 2, 4), ready(2))).isEqualTo(new Action.Remove(4));
    }

    @Test
    void theRemovalOfExtrasComesBeforeTheCreationOfMissingMembers() {
        assertThat(LocalPlanner.next(List.of(1, 3), List.of(member(1, COMPLETE, true), member(2, NEW, false)))).isEqualTo(new Action.Remove(3));
    }

    @Test
    void changedConfigurationIsWrittenForEveryMemberWhoseFilesDiffer() {
        List<MemberState> members = ready(3);
        members.set(0, new MemberState(1, COMPLETE, true, FILES, CHANGED, Optional.empty(), true));
        members.set(2, new MemberState(3, COMPLETE, true, FILES, CHANGED, Optional.empty(), true));
        assertThat(LocalPlanner.next(indexes(3), members)).isEqualTo(new Action.Configure(List.of(1, 3)));
    }

    @Test
    void configurationWaitsUntilEveryMemberIsCreated() {
        List<MemberState> members = List.of(new MemberState(1, COMPLETE, true, FILES, CHANGED, Optional.empty(), true), member(2, NEW, false));
        assertThat(LocalPlanner.next(indexes(2), members)).isEqualTo(new Action.CopyReplicas(List.of(2)));
    }

    @Test
    void aMemberThatDoesNotRunIsStartedAfterTheConfigurationIsRight() {
        List<MemberState> members = ready(3);
        members.set(1, member(2, COMPLETE, false));
        assertThat(LocalPlanner.next(indexes(3), members)).isEqualTo(new Action.Start(2));
    }

    @Test
    void pendingRestartsGoReplicasFirst() {
        List<MemberState> members = ready(3);
        members.set(0, new MemberState(1, COMPLETE, true, FILES, FILES, Optional.of("replicas-first"), true));
        members.set(2, new MemberState(3, COMPLETE, true, FILES, FILES, Optional.of("replicas-first"), true));
        assertThat(LocalPlanner.next(indexes(3), members)).isEqualTo(new Action.Restart(3));
    }

    @Test
    void thePrimaryRestartsFirstWhenAStandbyMinimumWentDown() {
        List<MemberState> members = ready(3);
        members.set(0, new MemberState(1, COMPLETE, true, FILES, FILES, Optional.of(LocalPlanner.PRIMARY_FIRST), true));
        members.set(1, new MemberState(2, COMPLETE, true, FILES, FILES, Optional.of(LocalPlanner.PRIMARY_FIRST), true));
        assertThat(LocalPlanner.next(indexes(3), members)).isEqualTo(new Action.Restart(1));
    }

    @Test
    void thePrimaryRestartsLastWhenOnlyItWaits() {
        List<MemberState> members = ready(2);
        members.set(0, new MemberState(1, COMPLETE, true, FILES, FILES, Optional.of("replicas-first"), true));
        assertThat(LocalPlanner.next(indexes(2), members)).isEqualTo(new Action.Restart(1));
    }

    @Test
    void anInstanceWithNothingLeftToDoChecksItsReadiness() {
        assertThat(LocalPlanner.next(indexes(3), ready(3))).isEqualTo(new Action.CheckReadiness());
        assertThat(LocalPlanner.next(indexes(1), ready(1))).isEqualTo(new Action.CheckReadiness());
    }

    @Test
    void loweringAHotStandbyMinimumRestartsThePrimaryFirstRaisingItDoesNot() {
        assertThat(LocalPlanner.primaryFirst(Map.of("max_connections", "100"), Map.of("max_connections", "50"), Set.of("max_connections")))
                .isTrue();
        assertThat(LocalPlanner.primaryFirst(Map.of("max_connections", "50"), Map.of("max_connections", "100"), Set.of("max_connections")))
                .isFalse();
        assertThat(LocalPlanner.primaryFirst(Map.of("shared_buffers", "256MB"), Map.of("shared_buffers", "128MB"), Set.of("shared_buffers")))
                .isFalse();
    }

    @Test
    void aMemberWhoseDataIsMadeGetsItsCertificateBeforeItIsResumed() {
        List<MemberState> members = List.of(new MemberState(1, MADE, false, FILES, FILES, Optional.empty(), false));
        assertThat(LocalPlanner.next(List.of(1), members)).isEqualTo(new Action.IssueCertificate(1));
        List<MemberState> certified = List.of(new MemberState(1, MADE, false, FILES, FILES, Optional.empty(), true));
        assertThat(LocalPlanner.next(List.of(1), certified)).isEqualTo(new Action.Resume(1));
    }

    @Test
    void aRunningMemberWithoutACertificateThatServesGetsOneBeforeItsConfigurationChanges() {
        List<MemberState> members = ready(3);
        members.set(1, new MemberState(2, COMPLETE, true, FILES, CHANGED, Optional.empty(), false));
        members.set(2, new MemberState(3, COMPLETE, true, FILES, CHANGED, Optional.empty(), true));
        assertThat(LocalPlanner.next(indexes(3), members)).isEqualTo(new Action.IssueCertificate(2));
    }

    @Test
    void whatAKilledPredecessorLeftRunningOnAMemberIsStoppedBeforeAnythingElse() {
        assertThat(LocalPlanner.stopLeftoversFirst(Map.of(1, 0, 2, 0, 3, 0))).isEmpty();
        assertThat(LocalPlanner.stopLeftoversFirst(Map.of(1, 0, 2, 0, 3, 2))).contains(new Action.StopLeftovers(3));
        assertThat(LocalPlanner.stopLeftoversFirst(Map.of(1, 1, 2, 0, 3, 2))).contains(new Action.StopLeftovers(1));
    }

    @Test
    void aDataProgramIsOneRunningOnTheMembersOwnDirectoryDirectlyOrThroughRunuser() {
        String dir = "/data/local/tenant-a/pg/member-1/data";
        assertThat(Leftovers.program(List.of("/usr/lib/postgresql/15/bin/initdb", "-D", dir, "-U", "postgres"), dir)).contains("initdb");
        assertThat(Leftovers.program(List.of("/usr/sbin/runuser", "-u", "nobody", "--", "/usr/lib/postgresql/15/bin/pg_basebackup", "-D", dir,
                "-X", "stream"), dir)).contains("pg_basebackup");
        assertThat(Leftovers.program(List.of("pg_rewind", "--target-pgdata=" + dir, "--source-server=host=127.0.0.1"), dir)).contains("pg_rewind");
        // The WAL a restored member replays comes through pgbackrest archive-get, which its server runs on its directory.
        assertThat(Leftovers.program(List.of("pgbackrest", "--config=/data/local/tenant-a/pg/pgbackrest/pgbackrest.conf",
                "--pg1-path=" + dir, "archive-get", "000000010000000000000003", "pg_wal/RECOVERYXLOG"), dir)).isEmpty();
        // The member's own server, a server check, another member's copy, a start: not data programs on this directory.
        assertThat(Leftovers.program(List.of("/usr/lib/postgresql/15/bin/postgres", "-D", dir), dir)).isEmpty();
        assertThat(Leftovers.program(List.of("/usr/lib/postgresql/15/bin/pg_ctl", "-D", dir, "start"), dir)).isEmpty();
        assertThat(Leftovers.program(List.of("pg_basebackup", "-D", "/data/local/tenant-a/pg/member-10/data"), dir)).isEmpty();
        assertThat(Leftovers.program(List.of("initdb", "-D", "/data/local/tenant-a/xpg/member-1/data"), "/data/local/tenant-a/pg/member-1/data"))
                .isEmpty();
    }

    @Test
    void aRestoreUnderWayComesFirstThenLeftoversThenThePrimarysRoleThenTheMembers() {
        FailoverPlanner.Situation stopped = new FailoverPlanner.Situation(1, false, false, Duration.ZERO, Duration.ofSeconds(10), false, false,
                Duration.ofSeconds(30), Duration.ofSeconds(10), 0, List.of(), List.of(new FailoverPlanner.Standby(2, "pg-2", true, 7L)), List.of(),
                List.of());
        FailoverPlanner.Situation serving = new FailoverPlanner.Situation(1, true, true, Duration.ZERO, Duration.ofSeconds(10), false, true,
                Duration.ZERO, Duration.ofSeconds(10), 0, List.of(), List.of(), List.of(), List.of());
        assertThat(LocalPlanner.next(LocalPlanner.Seen.restoring("a restore"))).isEqualTo(new Action.AwaitRestore("a restore"));
        assertThat(LocalPlanner.next(new LocalPlanner.Seen(Optional.empty(), Map.of(1, 0, 2, 1), Optional.of(stopped), indexes(2), ready(2), List.of())))
                .isEqualTo(new Action.StopLeftovers(2));
        assertThat(LocalPlanner.next(new LocalPlanner.Seen(Optional.empty(), Map.of(1, 0, 2, 0), Optional.of(stopped), indexes(2), ready(2), List.of())))
                .isEqualTo(new Action.Role(new FailoverPlanner.Decision.Promote(2, 7, "the primary's data directory is gone or damaged", "data lost",
                        false)));
        assertThat(LocalPlanner.next(new LocalPlanner.Seen(Optional.empty(), Map.of(1, 0, 2, 0), Optional.of(serving), indexes(3), ready(2), List.of())))
                .isEqualTo(new Action.Remove(3));
        assertThat(LocalPlanner.next(new LocalPlanner.Seen(Optional.empty(), Map.of(), Optional.empty(), indexes(2), ready(2), List.of())))
                .isEqualTo(new Action.CheckReadiness());
    }

    @Test
    void aSwitchoverTakesItsOwnStepWhileItsPrimaryIsStillThePrimaryAndReconcilesOnceTheRoleMoved() {
        LocalPlanner.Seen seen = new LocalPlanner.Seen(Optional.empty(), Map.of(1, 0, 2, 0), Optional.empty(), indexes(2), List.of(), List.of());
        assertThat(LocalPlanner.switchover(seen, true)).isEqualTo(new Action.Switchover());
        assertThat(LocalPlanner.switchover(seen, false)).isEqualTo(new Action.Reconcile());
        assertThat(LocalPlanner.switchover(LocalPlanner.Seen.restoring("a restore"), true)).isEqualTo(new Action.AwaitRestore("a restore"));
        assertThat(LocalPlanner.switchover(new LocalPlanner.Seen(Optional.empty(), Map.of(1, 2), Optional.empty(), indexes(2), List.of(), List.of()), true))
                .isEqualTo(new Action.StopLeftovers(1));
    }

    private static LocalPlanner.PoolerState pool(LocalPooler.Kind kind, boolean wanted, boolean present, boolean running, String current,
                                                 String rendered, boolean ready) {
        return new LocalPlanner.PoolerState(kind, wanted, present, running, Optional.ofNullable(current), Optional.ofNullable(rendered), ready);
    }

    @Test
    void aPoolIsConfiguredThenStartedAndFollowsTheIniTheSpecRenders() {
        LocalPooler.Kind rw = LocalPooler.Kind.RW;
        assertThat(LocalPlanner.pooler(List.of(pool(rw, true, false, false, null, "port=1", false))))
                .contains(new Action.ConfigurePooler(rw));
        assertThat(LocalPlanner.pooler(List.of(pool(rw, true, true, false, "port=1", "port=1", true))))
                .contains(new Action.StartPooler(rw));
        assertThat(LocalPlanner.pooler(List.of(pool(rw, true, true, true, "port=1", "port=1", true)))).isEmpty();
        // A new primary renders another file: configured again (the running PgBouncer reloads it).
        assertThat(LocalPlanner.pooler(List.of(pool(rw, true, true, true, "port=1", "port=2", true))))
                .contains(new Action.ConfigurePooler(rw));
        // A database made since (or restored) lacks the lookup: configured again.
        assertThat(LocalPlanner.pooler(List.of(pool(rw, true, true, true, "port=1", "port=1", false))))
                .contains(new Action.ConfigurePooler(rw));
    }

    @Test
    void aPoolWithNothingToLeadToWaitsAndOneNoLongerAskedForIsRemoved() {
        assertThat(LocalPlanner.pooler(List.of(pool(LocalPooler.Kind.RO, true, false, false, null, null, false)))).isEmpty();
        assertThat(LocalPlanner.pooler(List.of(pool(LocalPooler.Kind.RO, false, true, false, "x", null, true))))
                .contains(new Action.RemovePooler(LocalPooler.Kind.RO));
        assertThat(LocalPlanner.pooler(List.of(pool(LocalPooler.Kind.RO, false, false, true, null, null, false))))
                .contains(new Action.RemovePooler(LocalPooler.Kind.RO));
        assertThat(LocalPlanner.pooler(List.of(pool(LocalPooler.Kind.RW, false, false, false, null, null, false)))).isEmpty();
    }

    @Test
    void aPoolIsLedToTheServingPrimaryBeforeTheRoleOrTheMembersAreSettledAndWaitsWhileNoneServes() {
        FailoverPlanner.Situation rejoin = new FailoverPlanner.Situation(1, false, false, Duration.ZERO, Duration.ofSeconds(10), false, false,
                Duration.ofSeconds(30), Duration.ofSeconds(10), 0, List.of(), List.of(new FailoverPlanner.Standby(2, "pg-2", true, 7L)), List.of(),
                List.of());
        LocalPlanner.Seen toNewPrimary = new LocalPlanner.Seen(Optional.empty(), Map.of(1, 0, 2, 0), Optional.of(rejoin), indexes(2), ready(2),
                List.of(pool(LocalPooler.Kind.RW, true, true, true, "port=1", "port=2", true)));
        assertThat(LocalPlanner.next(toNewPrimary)).isEqualTo(new Action.ConfigurePooler(LocalPooler.Kind.RW));
        LocalPlanner.Seen noneServes = new LocalPlanner.Seen(Optional.empty(), Map.of(1, 0, 2, 0), Optional.of(rejoin), indexes(2), ready(2),
                List.of(pool(LocalPooler.Kind.RW, true, true, true, "port=1", null, true)));
        assertThat(LocalPlanner.next(noneServes)).isInstanceOf(Action.Role.class);
        LocalPlanner.Seen leftovers = new LocalPlanner.Seen(Optional.empty(), Map.of(1, 1), Optional.empty(), indexes(2), ready(2),
                List.of(pool(LocalPooler.Kind.RW, true, true, true, "port=1", "port=2", true)));
        assertThat(LocalPlanner.next(leftovers)).isEqualTo(new Action.StopLeftovers(1));
    }
}
