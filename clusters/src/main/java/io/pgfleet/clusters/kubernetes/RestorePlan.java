package io.pgfleet.clusters.kubernetes;

/**
 * The next step of a point-in-time restore on Kubernetes, from what the driver saw (pure). A restore replaces the
 * instance's {@code Cluster} under the same name with one bootstrapped by recovery from a Barman Cloud store: first its
 * plan is recorded (ConfigMap {@code <name>-restore}: the command, the time, the store and server to recover from, the
 * Cluster to make), because the original Cluster, which holds what the new one is made from, is deleted next; then the
 * recovered Cluster is created, and once CloudNativePG reports it healthy the record is removed.
 */
public final class RestorePlan {

    /** What the driver saw of the instance's Cluster, relative to this restore. */
    public enum ClusterSeen {
        /** no Cluster of that name */
        ABSENT,
        /** a Cluster that is not this restore's (the original, or another restore's) */
        ANOTHER,
        /** a Cluster being deleted */
        DELETING,
        /** this restore's Cluster, not yet healthy */
        RECOVERING,
        /** this restore's Cluster, every instance ready */
        RECOVERED
    }

    /** What the driver saw of the record. */
    public enum RecordSeen {
        NONE,
        /** recorded for this restore's command */
        THIS,
        /** recorded for another command, unfinished: this one takes it over */
        ANOTHER
    }

    public enum Action {
        /** archive the primary's WAL up to now (when it runs) and record the plan */
        RECORD,
        /** delete the Cluster that is not this restore's */
        DELETE_CLUSTER,
        /** create the recovered Cluster from the record */
        CREATE_RECOVERED,
        /** wait for Kubernetes or CloudNativePG */
        WAIT,
        /** remove the record: the restore is done */
        FINISH,
        /** done already (a predecessor removed the record) */
        DONE,
        /** nothing to restore into */
        FAIL
    }

    private RestorePlan() {
    }

    public static Action next(ClusterSeen cluster, RecordSeen record) {
        if (record != RecordSeen.THIS) {
            return switch (cluster) {
                case RECOVERED -> doneOrRecord(record);
                case ABSENT -> record == RecordSeen.NONE ? Action.FAIL : Action.RECORD;
                case DELETING -> Action.WAIT;
                case ANOTHER, RECOVERING -> Action.RECORD;
            };
        }
        return switch (cluster) {
            case ANOTHER -> Action.DELETE_CLUSTER;
            case DELETING, RECOVERING -> Action.WAIT;
            case ABSENT -> Action.CREATE_RECOVERED;
            case RECOVERED -> Action.FINISH;
        };
    }

    private static Action doneOrRecord(RecordSeen record) {
        // This restore's Cluster is healthy and nothing is recorded: a predecessor finished it. Another command's record
        // alongside is a newer restore taking over.
        return record == RecordSeen.NONE ? Action.DONE : Action.RECORD;
    }
}
