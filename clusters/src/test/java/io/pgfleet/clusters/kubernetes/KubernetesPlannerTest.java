package io.pgfleet.clusters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.kubernetes.KubernetesPlanner.Action;
import io.pgfleet.clusters.kubernetes.KubernetesPlanner.Presence;
import io.pgfleet.clusters.kubernetes.KubernetesPlanner.Seen;
import io.pgfleet.events.InstanceKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubernetesPlannerTest {

    private static final InstanceKey KEY = new InstanceKey("tenant-k", "pg");
    private static final Map<String, Object> SPEC = Map.of("instances", 3);
    private static final ClusterStatus READY = new ClusterStatus(3, "Cluster in healthy state", "pg-1", List.of("pg-1", "pg-2", "pg-3"),
            List.of("pg-1", "pg-2", "pg-3"));

    private static Seen seen(Presence cluster, boolean certified, Presence service, boolean external, Map<String, Object> current,
                             ClusterStatus status) {
        return new Seen(KEY, Optional.empty(), cluster, Optional.empty(), certified, service, external, current, SPEC, status, 3, List.of());
    }

    @Test
    void aNewInstanceGetsItsCertificatesThenItsClusterThenItsServiceThenWaitsForItsMembers() {
        assertThat(KubernetesPlanner.next(seen(Presence.ABSENT, false, Presence.ABSENT, true, null, null))).isEqualTo(new Action.Certify());
        assertThat(KubernetesPlanner.next(seen(Presence.ABSENT, true, Presence.ABSENT, true, null, null))).isEqualTo(new Action.CreateCluster());
        ClusterStatus none = new ClusterStatus(0, "", "", List.of(), List.of());
        assertThat(KubernetesPlanner.next(seen(Presence.OURS, true, Presence.ABSENT, true, SPEC, none))).isEqualTo(new Action.CreateService());
        assertThat(KubernetesPlanner.next(seen(Presence.OURS, true, Presence.OURS, true, SPEC, none))).isEqualTo(new Action.AwaitMembers());
        assertThat(KubernetesPlanner.next(seen(Presence.OURS, true, Presence.OURS, true, SPEC, READY))).isEqualTo(new Action.Ready());
    }

    @Test
    void aChangedSpecIsAppliedAndAServiceNoLongerAskedForRemoved() {
        assertThat(KubernetesPlanner.next(seen(Presence.OURS, true, Presence.ABSENT, false, Map.of("instances", 2), READY)))
                .isEqualTo(new Action.UpdateCluster());
        assertThat(KubernetesPlanner.next(seen(Presence.OURS, true, Presence.OURS, false, SPEC, READY))).isEqualTo(new Action.DeleteService());
        // a foreign Service of that name is never removed: it is not pgfleet's to remove
        assertThat(KubernetesPlanner.next(seen(Presence.OURS, true, Presence.FOREIGN, false, SPEC, READY))).isEqualTo(new Action.Ready());
    }

    @Test
    void whatIsNotPgfleetsIsRefusedAndARestoreUnderWayWaitedFor() {
        assertThat(KubernetesPlanner.next(seen(Presence.FOREIGN, false, Presence.ABSENT, false, null, null)))
                .isEqualTo(new Action.Refuse(Ownership.notOurs("Cluster", KEY)));
        assertThat(KubernetesPlanner.next(seen(Presence.OURS, true, Presence.FOREIGN, true, SPEC, READY))).isInstanceOf(Action.Refuse.class);
        assertThat(KubernetesPlanner.next(new Seen(KEY, Optional.empty(), Presence.ABSENT, Optional.of("Secret pg.client-ca is not pgfleet's"),
                false, Presence.ABSENT, false, null, SPEC, null, 3, List.of()))).isEqualTo(new Action.Refuse("Secret pg.client-ca is not pgfleet's"));
        assertThat(KubernetesPlanner.next(Seen.restoring(KEY, "a restore"))).isEqualTo(new Action.AwaitRestore("a restore"));
    }

    private static Seen pooled(KubernetesPlanner.PoolerSeen... poolers) {
        return new Seen(KEY, Optional.empty(), Presence.OURS, Optional.empty(), true, Presence.ABSENT, false, SPEC, SPEC, READY, 3, List.of(poolers));
    }

    @Test
    void thePoolersAreCreatedUpdatedAndRemovedAfterTheClusterAndAForeignOneRefused() {
        Map<String, Object> rendered = Map.of("type", "rw", "instances", 2, "pgbouncer", Map.of("poolMode", "transaction"));
        assertThat(KubernetesPlanner.next(pooled(new KubernetesPlanner.PoolerSeen("rw", true, Presence.ABSENT, null, rendered))))
                .isEqualTo(new Action.CreatePooler("rw"));
        // What the API server or CloudNativePG added besides is not a change; a changed mode is.
        Map<String, Object> defaulted = Map.of("type", "rw", "instances", 2L, "pgbouncer", Map.of("poolMode", "transaction", "authQuery", "q"),
                "deploymentStrategy", Map.of());
        assertThat(KubernetesPlanner.next(pooled(new KubernetesPlanner.PoolerSeen("rw", true, Presence.OURS, defaulted, rendered))))
                .isEqualTo(new Action.Ready());
        Map<String, Object> session = Map.of("type", "rw", "instances", 2, "pgbouncer", Map.of("poolMode", "session"));
        assertThat(KubernetesPlanner.next(pooled(new KubernetesPlanner.PoolerSeen("rw", true, Presence.OURS, session, rendered))))
                .isEqualTo(new Action.UpdatePooler("rw"));
        assertThat(KubernetesPlanner.next(pooled(new KubernetesPlanner.PoolerSeen("rw", true, Presence.OURS, rendered, rendered),
                new KubernetesPlanner.PoolerSeen("ro", false, Presence.OURS, rendered, rendered)))).isEqualTo(new Action.DeletePooler("ro"));
        assertThat(KubernetesPlanner.next(pooled(new KubernetesPlanner.PoolerSeen("ro", true, Presence.FOREIGN, rendered, rendered))))
                .isInstanceOf(Action.Refuse.class);
        // One of that name that is not pgfleet's, not asked for: left alone.
        assertThat(KubernetesPlanner.next(pooled(new KubernetesPlanner.PoolerSeen("ro", false, Presence.FOREIGN, rendered, rendered))))
                .isEqualTo(new Action.Ready());
        // The Cluster's own change comes first.
        assertThat(KubernetesPlanner.next(new Seen(KEY, Optional.empty(), Presence.OURS, Optional.empty(), true, Presence.ABSENT, false,
                Map.of("instances", 2), SPEC, READY, 3, List.of(new KubernetesPlanner.PoolerSeen("rw", true, Presence.ABSENT, null, rendered)))))
                .isEqualTo(new Action.UpdateCluster());
    }
}
