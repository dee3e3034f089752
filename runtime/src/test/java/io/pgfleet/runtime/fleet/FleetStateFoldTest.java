package io.pgfleet.runtime.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.fleet.InstanceState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetStateFoldTest {

    private static final String A = "tenant-a/shop";
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    private static InstanceState provisioner(String phase, int ready) {
        return new InstanceState(A, phase, ready + " of 2 members ready", 2, ready, "shop-1",
                List.of(new InstanceState.MemberState("shop-1", "primary", "running", "127.0.0.1", 5432, null, null)), "127.0.0.1:5432",
                null, null, null, Map.of("provisioner", T), null);
    }

    private static InstanceState users(String... names) {
        return new InstanceState(A, null, null, null, null, null, null, null,
                List.of(names).stream().map(n -> new InstanceState.UserState(n, List.of())).toList(), List.of(), null,
                Map.of("user-manager", T.plusSeconds(1)), null);
    }

    private static InstanceState backup(String last) {
        return new InstanceState(A, null, null, null, null, null, null, null, null, null,
                new InstanceState.BackupState(true, "0 2 * * *", last, T, null), Map.of("backup-worker", T.plusSeconds(2)), null);
    }

    @Test
    void thePartsOfAnInstanceMakeOneRecordOnceTheProvisionerHasSpoken() {
        FleetStateFold fold = new FleetStateFold();
        // The user-manager and backup-worker may speak first: no record without the provisioner's part.
        assertThat(fold.apply(FleetStateFold.partKey(A, "user-manager"), users("app"))).isEmpty();
        assertThat(fold.apply(FleetStateFold.partKey(A, "backup-worker"), backup("bk-1"))).isEmpty();

        FleetStateFold.Change first = fold.apply(FleetStateFold.partKey(A, "provisioner"), provisioner("READY", 2)).orElseThrow();
        assertThat(first.instance()).isEqualTo(A);
        assertThat(first.state().phase()).isEqualTo("READY");
        assertThat(first.state().users()).extracting(InstanceState.UserState::name).containsExactly("app");
        assertThat(first.state().backup().lastBackup()).isEqualTo("bk-1");
        assertThat(first.state().updated()).containsOnlyKeys("provisioner", "user-manager", "backup-worker");

        // A part that changes changes the record; the rest stays.
        FleetStateFold.Change degraded = fold.apply(FleetStateFold.partKey(A, "provisioner"), provisioner("DEGRADED", 1)).orElseThrow();
        assertThat(degraded.state().membersReady()).isEqualTo(1);
        assertThat(degraded.state().users()).extracting(InstanceState.UserState::name).containsExactly("app");
        // The same part again says nothing new.
        assertThat(fold.apply(FleetStateFold.partKey(A, "provisioner"), provisioner("DEGRADED", 1))).isEmpty();
        assertThat(fold.apply(FleetStateFold.partKey(A, "user-manager"), users("app", "report")).orElseThrow().state().users()).hasSize(2);
    }

    @Test
    void theProvisionersTombstoneMakesTheInstancesTombstoneWhateverTheOthersSay() {
        FleetStateFold fold = new FleetStateFold();
        fold.apply(FleetStateFold.partKey(A, "provisioner"), provisioner("READY", 2));
        fold.apply(FleetStateFold.partKey(A, "backup-worker"), backup("bk-1"));
        Optional<FleetStateFold.Change> gone = fold.apply(FleetStateFold.partKey(A, "provisioner"), null);
        assertThat(gone).hasValueSatisfying(change -> assertThat(change.state()).isNull());
        // The backup-worker keeps its backups of a deleted instance: still no record.
        assertThat(fold.apply(FleetStateFold.partKey(A, "backup-worker"), backup("bk-2"))).isEmpty();
        // A tombstone of the provisioner's read from the start (its earlier part compacted away) is told, for a record from before.
        assertThat(new FleetStateFold().apply(FleetStateFold.partKey(A, "provisioner"), null))
                .hasValueSatisfying(change -> assertThat(change.state()).isNull());
    }

    @Test
    void aRecordThatCouldNotBeWrittenIsToldAgain() {
        FleetStateFold fold = new FleetStateFold();
        fold.apply(FleetStateFold.partKey(A, "provisioner"), provisioner("READY", 2));
        fold.untold(A);
        assertThat(fold.apply(FleetStateFold.partKey(A, "provisioner"), provisioner("READY", 2))).isPresent();
        assertThat(fold.apply("not-a-part-key", provisioner("READY", 2))).isEmpty();
    }
}
