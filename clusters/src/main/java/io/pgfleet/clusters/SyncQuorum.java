package io.pgfleet.clusters;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The synchronous replication rule CloudNativePG applies: with {@code maxSyncReplicas = 0} commits do
 * not wait; otherwise {@code synchronous_standby_names = 'ANY q (standbys...)'} where
 * {@code q = min(maxSyncReplicas, standbys)}, and never less than {@code minSyncReplicas}.
 */
public final class SyncQuorum {

    private SyncQuorum() {
    }

    /** How many standbys a commit waits for. */
    public static int required(int minSyncReplicas, int maxSyncReplicas, int standbys) {
        if (maxSyncReplicas == 0) {
            return 0;
        }
        return Math.max(minSyncReplicas, Math.min(maxSyncReplicas, standbys));
    }

    /** The value of {@code synchronous_standby_names} for these standbys ({@code ""} for asynchronous). */
    public static String standbyNames(int minSyncReplicas, int maxSyncReplicas, List<String> standbys) {
        int q = required(minSyncReplicas, maxSyncReplicas, standbys.size());
        if (q == 0 || standbys.isEmpty()) {
            return "";
        }
        return "ANY " + q + " (" + standbys.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")) + ")";
    }
}
