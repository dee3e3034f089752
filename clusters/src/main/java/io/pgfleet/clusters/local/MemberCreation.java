package io.pgfleet.clusters.local;

/**
 * The next action for a member that is not complete yet, decided only from what its directory
 * shows. A member's files may be made again only when they never served: its initdb (or base
 * backup) did not finish, and no server was ever started on them. Anything else is resumed, so a
 * retried step never initialises again a primary that clients (the user-manager among them) have
 * already written to.
 */
final class MemberCreation {

    /** What a member's directory shows. */
    record Disk(boolean initialised, boolean served, boolean complete) {
    }

    /** What to do next. */
    enum Action {
        /** Nothing: the member was created to the end. */
        NONE,
        /** Empty the directory (it never served) and make the data again: initdb, or a base backup from the primary. */
        MAKE_DATA,
        /** The data is there: configure, start, and finish (the replication role on a primary), then mark it complete. */
        RESUME
    }

    private MemberCreation() {
    }

    static Action next(Disk disk) {
        if (disk.complete()) {
            return Action.NONE;
        }
        // A server that ever started on the directory means initdb finished, even without our marker
        // (a member made before the marker existed).
        return disk.initialised() || disk.served() ? Action.RESUME : Action.MAKE_DATA;
    }
}
