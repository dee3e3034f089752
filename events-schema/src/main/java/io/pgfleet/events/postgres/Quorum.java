package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;

/**
 * Synchronous replication quorum, as CloudNativePG applies it: a commit waits for at least
 * {@code minSyncReplicas} and asks for up to {@code maxSyncReplicas} standbys
 * ({@code synchronous_standby_names = 'ANY q (...)'}).
 */
@Doc("Synchronous replication quorum.")
public record Quorum(
        @Doc(value = "Minimum number of synchronous replicas, 0 or more, at most maxSyncReplicas. Default 0.", minimum = 0) Integer minSyncReplicas,
        @Doc(value = "Maximum number of synchronous replicas, lower than replicas. Default 0 (asynchronous).", minimum = 0) Integer maxSyncReplicas) {

    Quorum effective() {
        return new Quorum(minSyncReplicas == null ? 0 : minSyncReplicas, maxSyncReplicas == null ? 0 : maxSyncReplicas);
    }
}
