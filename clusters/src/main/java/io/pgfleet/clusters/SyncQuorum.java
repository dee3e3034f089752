package io.pgfleet.clusters;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The synchronous replication rule CloudNativePG applies: with {@code maxSyncReplicas = 0} commits do
 * not wait; otherwise {@code synchronous_standby_names = 'ANY q (standbys...)'} where
 * {@code q = min(maxSyncReplicas, streaming standbys)}, and never less than {@code minSyncReplicas}: a standby that
 * stops streaming lowers q (down to the minimum) so commits go on, and counts again once it streams.
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

    /** The value of {@code synchronous_standby_names} for these standbys, all streaming ({@code ""} for asynchronous). */
    public static String standbyNames(int minSyncReplicas, int maxSyncReplicas, List<String> standbys) {
        return standbyNames(minSyncReplicas, maxSyncReplicas, standbys, standbys.size());
    }

    /** The value of {@code synchronous_standby_names} for these standbys, of which {@code streaming} stream now. */
    public static String standbyNames(int minSyncReplicas, int maxSyncReplicas, List<String> standbys, int streaming) {
        int q = required(minSyncReplicas, maxSyncReplicas, Math.min(streaming, standbys.size()));
        if (q == 0 || standbys.isEmpty()) {
            return "";
        }
        return "ANY " + q + " (" + standbys.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")) + ")";
    }
}
