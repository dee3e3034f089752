package io.pgfleet.clusters.kubernetes;

import io.pgfleet.events.InstanceKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The order of the Kubernetes driver's steps, as a pure function of what it saw: wait while a point-in-time restore
 * replaces the Cluster; refuse what exists and is not pgfleet's; make the client certificates and their Secrets (the
 * Cluster names them); create the Cluster; create or remove the external Service; bring the Cluster's spec to the one the
 * document renders ({@link CnpgModel}, the recovery it was bootstrapped with kept); create, update or remove the Poolers
 * ({@link PoolerModel}); then wait for CloudNativePG to report every member ready. The driver carries out the one action this returns and comes back.
 */
final class KubernetesPlanner {

    /** Whether a resource exists, and whose it is. */
    enum Presence { ABSENT, OURS, FOREIGN }

    /**
     * What the driver saw.
     *
     * @param key          the instance
     * @param restoring    what a point-in-time restore under way is doing; while there is one nothing else is looked at
     * @param cluster      the Cluster of the instance's name
     * @param certificates why the client certificates' Secrets cannot be put in place (one of their names is not
     *                     pgfleet's), empty when they can
     * @param certified    whether the CA, the certificates (not about to end) and their two Secrets are in place
     * @param service      the external Service of the instance's name
     * @param external     whether the document asks for the external Service
     * @param current      the Cluster's spec as it is (null when absent)
     * @param wanted       its spec as the document renders it, the recovery it was bootstrapped with kept
     * @param status       what CloudNativePG reports
     * @param replicas     the members the document asks for
     * @param poolers      the instance's Poolers, each as it is and as the document renders it
     */
    record Seen(InstanceKey key, Optional<String> restoring, Presence cluster, Optional<String> certificates, boolean certified, Presence service,
                boolean external, Map<String, Object> current, Map<String, Object> wanted, ClusterStatus status, int replicas,
                List<PoolerSeen> poolers) {

        static Seen restoring(InstanceKey key, String what) {
            return new Seen(key, Optional.of(what), Presence.ABSENT, Optional.empty(), false, Presence.ABSENT, false, null, null, null, 0, List.of());
        }
    }

    /**
     * One of the instance's Poolers ({@link PoolerModel}).
     *
     * @param type     {@code rw} or {@code ro}
     * @param wanted   the document asks for it
     * @param presence whether it exists, and whose it is
     * @param current  its spec as it is (null when absent)
     * @param rendered its spec as the document renders it
     */
    record PoolerSeen(String type, boolean wanted, Presence presence, Map<String, Object> current, Map<String, Object> rendered) {
    }

    /** The one thing to do next. */
    sealed interface Action {
        /** Wait: a point-in-time restore owns the instance. */
        record AwaitRestore(String what) implements Action {
        }

        /** Fail, changing nothing: something of the instance's names is not pgfleet's. */
        record Refuse(String reason) implements Action {
        }

        /** Make what is missing of the client CA, the certificates and their Secrets ({@link ClientCertificates}). */
        record Certify() implements Action {
        }

        /** Create the Cluster as rendered. */
        record CreateCluster() implements Action {
        }

        /** Create the external (LoadBalancer) Service. */
        record CreateService() implements Action {
        }

        /** Remove the external Service the document no longer asks for. */
        record DeleteService() implements Action {
        }

        /** Replace the Cluster's spec with the wanted one. */
        record UpdateCluster() implements Action {
        }

        /** Create a Pooler as rendered. */
        record CreatePooler(String type) implements Action {
        }

        /** Replace a Pooler's spec with the rendered one. */
        record UpdatePooler(String type) implements Action {
        }

        /** Remove a Pooler the document no longer asks for. */
        record DeletePooler(String type) implements Action {
        }

        /** Every member is ready: done. */
        record Ready() implements Action {
        }

        /** CloudNativePG is still making or restarting members: come back. */
        record AwaitMembers() implements Action {
        }
    }

    private KubernetesPlanner() {
    }

    /**
     * Whether {@code current} has every field of {@code rendered} as rendered (maps compared field by field; what the API
     * server or CloudNativePG's defaulting added besides is not a difference).
     */
    static boolean holds(Object current, Object rendered) {
        if (rendered instanceof Map<?, ?> wanted) {
            return current instanceof Map<?, ?> have && wanted.entrySet().stream().allMatch(e -> holds(have.get(e.getKey()), e.getValue()));
        }
        if (rendered instanceof Number number) {
            return current instanceof Number other && number.longValue() == other.longValue();
        }
        return rendered.equals(current);
    }

    static Action next(Seen seen) {
        if (seen.restoring().isPresent()) {
            return new Action.AwaitRestore(seen.restoring().get());
        }
        if (seen.cluster() == Presence.FOREIGN) {
            return new Action.Refuse(Ownership.notOurs("Cluster", seen.key()));
        }
        if (seen.certificates().isPresent()) {
            return new Action.Refuse(seen.certificates().get());
        }
        if (!seen.certified()) {
            return new Action.Certify();
        }
        if (seen.cluster() == Presence.ABSENT) {
            return new Action.CreateCluster();
        }
        if (seen.external() && seen.service() == Presence.FOREIGN) {
            return new Action.Refuse(Ownership.notOurs("Service " + CnpgModel.externalServiceName(seen.key()) + " for", seen.key()));
        }
        if (seen.external() && seen.service() == Presence.ABSENT) {
            return new Action.CreateService();
        }
        if (!seen.external() && seen.service() == Presence.OURS) {
            return new Action.DeleteService();
        }
        if (!seen.current().equals(seen.wanted())) {
            return new Action.UpdateCluster();
        }
        for (PoolerSeen pooler : seen.poolers()) {
            if (pooler.presence() == Presence.FOREIGN && pooler.wanted()) {
                return new Action.Refuse(Ownership.notOurs("Pooler " + PoolerModel.name(seen.key(), pooler.type()) + " for", seen.key()));
            }
            if (pooler.wanted() && pooler.presence() == Presence.ABSENT) {
                return new Action.CreatePooler(pooler.type());
            }
            if (pooler.wanted() && !holds(pooler.current(), pooler.rendered())) {
                return new Action.UpdatePooler(pooler.type());
            }
            if (!pooler.wanted() && pooler.presence() == Presence.OURS) {
                return new Action.DeletePooler(pooler.type());
            }
        }
        return seen.status().readyInstances() >= seen.replicas() ? new Action.Ready() : new Action.AwaitMembers();
    }
}
