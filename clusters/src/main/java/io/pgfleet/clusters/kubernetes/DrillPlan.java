package io.pgfleet.clusters.kubernetes;

import java.time.Duration;

/**
 * The next step of a restore drill's Cluster on Kubernetes, from what the driver saw (pure). A drill's Cluster is made,
 * waited for, and handed out once — its login group is made in its server as it is —: from then on it may hold half a
 * restore, so a drill that finds it handed out (its predecessor was killed) has it deleted and made again. One that CloudNativePG does not make ready in time — a recovery
 * that cannot reach its target never becomes ready — fails the drill.
 */
public final class DrillPlan {

    /** What the driver saw of the drill's Cluster. */
    public enum Seen {
        /** no Cluster of that name */
        ABSENT,
        /** a Cluster of that name that is not this drill's */
        FOREIGN,
        /** the drill's Cluster, being deleted */
        DELETING,
        /** the drill's Cluster, not ready yet */
        MAKING,
        /** the drill's Cluster, ready (and, once its server was asked, never handed out: its login group does not exist) */
        READY,
        /** the drill's Cluster, handed out before: its server has its login group */
        TAKEN
    }

    public enum Action {
        /** make the Cluster (the instance's WAL up to now archived first, for a recovery) */
        CREATE,
        /** wait for Kubernetes or CloudNativePG */
        WAIT,
        /** hand it out, once */
        TAKE,
        /** delete it, to be made again */
        REMAKE,
        /** give up: not ours, or not ready in time */
        FAIL
    }

    private DrillPlan() {
    }

    /**
     * @param age   how long ago the Cluster was made (zero when unknown)
     * @param limit how long CloudNativePG is given to make it ready
     */
    public static Action next(Seen seen, Duration age, Duration limit) {
        return switch (seen) {
            case ABSENT -> Action.CREATE;
            case FOREIGN -> Action.FAIL;
            case DELETING -> Action.WAIT;
            case MAKING -> age.compareTo(limit) > 0 ? Action.FAIL : Action.WAIT;
            case READY -> Action.TAKE;
            case TAKEN -> Action.REMAKE;
        };
    }
}
