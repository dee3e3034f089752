package io.pgfleet.clusters.local;

import java.time.Instant;

/**
 * The next step of a local point-in-time restore (pure), from what was written down and what the members look like now;
 * {@link LocalRecovery} observes and acts. The phases written down are {@code fencing}, {@code restoring},
 * {@code restored} and {@code reached}; a retried step (a killed worker's successor) sees the same phase and the world as
 * its predecessor left it, and the plan takes it from there.
 */
final class RecoveryPlan {

    /**
     * What the restored primary answers while it replays.
     *
     * @param inRecovery        whether it still replays (not yet promoted)
     * @param pauseState        {@code pg_get_wal_replay_pause_state()}
     * @param lsn               the last LSN replayed
     * @param lastTransactionAt the commit time of the last transaction replayed
     */
    record Replay(boolean inRecovery, String pauseState, String lsn, Instant lastTransactionAt) {
    }

    /**
     * What the driver saw.
     *
     * @param phase          the phase written down for this command, null when none is (or another command's)
     * @param runningMember  a member that still runs, null when none does
     * @param primaryRunning whether the primary's postmaster runs
     * @param endedEarly     whether the primary's log says its replay ran out of WAL before the time
     * @param replay         what the primary answers, null when it does not (yet)
     */
    record Seen(String phase, String runningMember, boolean primaryRunning, boolean endedEarly, Replay replay) {
    }

    enum Action {
        /** archive the WAL up to now, write down {@code fencing} */
        BEGIN,
        /** stop {@code runningMember} */
        STOP_MEMBER,
        /** keep the primary's own files aside, write down {@code restoring} */
        KEEP_OWN_FILES,
        /** restore the data of the time into the primary, its own files back, write down {@code restored} */
        RESTORE,
        /** start the primary */
        START_PRIMARY,
        /** the archive ends before the time: fail, the members stay stopped */
        ENDED_EARLY,
        /** wait for the primary to answer or to reach the time */
        WAIT,
        /** write down where replay paused ({@code reached}) and promote */
        PROMOTE,
        /** the promotion of a predecessor did not take: promote again */
        FINISH_PROMOTION,
        /** make the promoted primary the instance's own again, set the standbys aside, remove the record: done */
        MAKE_OWN
    }

    private RecoveryPlan() {
    }

    static Action next(Seen seen) {
        if (seen.phase() == null) {
            return Action.BEGIN;
        }
        switch (seen.phase()) {
            case "fencing":
                return seen.runningMember() != null ? Action.STOP_MEMBER : Action.KEEP_OWN_FILES;
            case "restoring":
                return Action.RESTORE;
            case "restored":
                if (!seen.primaryRunning()) {
                    return seen.endedEarly() ? Action.ENDED_EARLY : Action.START_PRIMARY;
                }
                if (seen.replay() == null) {
                    return Action.WAIT;
                }
                if (!seen.replay().inRecovery()) {
                    return Action.MAKE_OWN;   // promoted already (the phase was not written down before the kill)
                }
                return "paused".equals(seen.replay().pauseState()) ? Action.PROMOTE : Action.WAIT;
            default:
                if (!seen.primaryRunning()) {
                    return Action.START_PRIMARY;
                }
                if (seen.replay() == null) {
                    return Action.WAIT;
                }
                return seen.replay().inRecovery() ? Action.FINISH_PROMOTION : Action.MAKE_OWN;
        }
    }
}
