package io.pgfleet.clusters.local;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who serves as the primary, as a pure function of what the driver saw: a primary that stopped is given
 * {@code failoverDelay} to start again (when its data is intact); a primary that runs but has not answered the driver's
 * probes for {@code unresponsiveAfter} (frozen, stalled on its storage, stuck) is lost like a stopped one, and is killed
 * before anything else happens (so that it never writes again, even if it resumes); after that, or at once when its
 * data is gone or damaged, the synchronous standby that received the most WAL is promoted, but only when enough of the synchronous
 * standbys answer that one of them must hold every commit the old primary acknowledged ({@code ANY q} over {@code n}
 * names: at least {@code n - q + 1} of them). A member that was the primary before the last promotion rejoins as a
 * standby (pg_rewind, or a new copy) once the new primary serves.
 */
final class FailoverPlanner {

    /**
     * A standby as seen while deciding.
     *
     * @param index       member index
     * @param name        its application_name
     * @param running     whether its postmaster runs and answers
     * @param receivedLsn the most advanced WAL position it holds (received and flushed, or replayed), when it answers
     */
    record Standby(int index, String name, boolean running, Long receivedLsn) {
    }

    /**
     * What the driver saw.
     *
     * @param primaryIndex      the designated primary
     * @param primaryRunning    whether its postmaster runs
     * @param primaryAnswers    whether it answered the driver's last probe (a connection and {@code SELECT 1}, each bounded)
     * @param silentFor         how long a running primary has not answered (zero when it answers)
     * @param unresponsiveAfter {@code pgfleet.local.unresponsive-after}
     * @param promoting         it runs, or is about to, with {@code standby.signal}: designated, not yet promoted
     * @param primaryDataIntact its data directory holds {@code PG_VERSION} and {@code global/pg_control}
     * @param downFor           how long the driver has seen it stopped
     * @param delay             {@code pgfleet.local.failover-delay}
     * @param quorum            {@code q} of the {@code synchronous_standby_names} in force when it stopped (0: asynchronous)
     * @param listed            the names in it
     * @param standbys          every other member whose data is complete
     * @param rejoining         members marked to rejoin as standbys (a former primary)
     * @param lost              standbys that can never stream again (looked for while the primary answers): data gone, or a
     *                          replication slot that lost WAL they had not received
     */
    record Situation(int primaryIndex, boolean primaryRunning, boolean primaryAnswers, Duration silentFor, Duration unresponsiveAfter,
                     boolean promoting, boolean primaryDataIntact, Duration downFor, Duration delay, int quorum, List<String> listed,
                     List<Standby> standbys, List<Integer> rejoining, List<Lost> lost) {

        /** Runs, but has not answered for {@code unresponsiveAfter}: lost, like a stopped primary. */
        boolean primaryHung() {
            return primaryRunning && !primaryAnswers && silentFor.compareTo(unresponsiveAfter) >= 0;
        }
    }

    /**
     * A standby that serves nobody and can never stream again.
     *
     * @param index member index
     * @param why   what was found, in words
     */
    record Lost(int index, String why) {
    }

    /** Why a standby's data is lost. */
    static final String DATA_LOST = "its data directory is gone or damaged";

    /** Why a standby's slot is lost. */
    static final String SLOT_LOST = "its replication slot lost WAL it had not received (max_slot_wal_keep_size)";

    /** What to do about the primary before anything else. */
    sealed interface Decision {
        /** The primary serves (or nothing can be done by failing over): plan as usual. */
        record Proceed() implements Decision {
        }

        /** The designated primary still has standby.signal: finish its promotion. */
        record FinishPromotion(int index) implements Decision {
        }

        /**
         * Fence the lost primary (killed first when it is {@code hung}), designate this standby, promote it.
         *
         * @param cause as events name it ({@link FailoverPlanner#causeOf})
         */
        record Promote(int index, long receivedLsn, String why, String cause, boolean hung) implements Decision {
        }

        /** Fence a standby that can never stream again, set its data aside, copy it again from the primary. */
        record CopyAgain(int index, String why) implements Decision {
        }

        /** The primary cannot serve and no standby may take over without losing acknowledged commits: wait and say why. */
        record Refuse(String reason) implements Decision {
        }

        /** The primary runs but does not answer yet, not for long enough to be given up: wait and say so. */
        record Wait(String reason) implements Decision {
        }

        /**
         * The primary runs but has not answered for too long, and no standby can take over: kill it (its postmaster and every
         * backend), so that it starts again and recovers rather than hang.
         */
        record Kill(int index, String why) implements Decision {
        }

        /** A former primary becomes a standby of the new one. */
        record Rejoin(int index) implements Decision {
        }
    }

    private FailoverPlanner() {
    }

    static Decision next(Situation s) {
        if (s.promoting()) {
            return new Decision.FinishPromotion(s.primaryIndex());
        }
        boolean hung = s.primaryHung();
        if (s.primaryRunning() && s.primaryAnswers()) {
            if (!s.rejoining().isEmpty()) {
                return new Decision.Rejoin(s.rejoining().get(0));
            }
            return s.lost().stream().findFirst().<Decision>map(l -> new Decision.CopyAgain(l.index(), l.why())).orElseGet(Decision.Proceed::new);
        }
        if (s.primaryRunning() && !hung) {
            return new Decision.Wait("the primary has not answered for " + s.silentFor().toSeconds() + "s; it is given up after "
                    + s.unresponsiveAfter().toSeconds() + "s");
        }
        String silent = "the primary did not answer for " + s.silentFor().toSeconds() + "s";
        if (s.standbys().isEmpty()) {
            // nobody to fail over to: start it again, or fail saying why (a hung one is killed first)
            return hung ? new Decision.Kill(s.primaryIndex(), silent + " and no standby can take over") : new Decision.Proceed();
        }
        if (!hung && s.primaryDataIntact() && s.downFor().compareTo(s.delay()) < 0) {
            return new Decision.Proceed();   // give it its delay to start again
        }
        String why = hung ? silent : s.primaryDataIntact() ? "the primary did not come back within " + s.delay().toSeconds() + "s"
                : "the primary's data directory is gone or damaged";
        List<Standby> answering = s.standbys().stream().filter(Standby::running).filter(st -> st.receivedLsn() != null).toList();
        List<Standby> candidates = answering;
        if (s.quorum() > 0) {
            candidates = answering.stream().filter(st -> s.listed().contains(st.name())).toList();
            int needed = s.listed().size() - s.quorum() + 1;
            if (candidates.size() < needed) {
                return refuse(s, why + ", and only " + candidates.size() + " of the " + s.listed().size()
                        + " synchronous standbys answer: with ANY " + s.quorum() + " at least " + needed
                        + " must, so that one of them holds every acknowledged commit");
            }
        }
        Optional<Standby> best = candidates.stream()
                .max(Comparator.comparingLong(Standby::receivedLsn).thenComparing(Comparator.comparingInt(Standby::index).reversed()));
        return best.<Decision>map(b -> new Decision.Promote(b.index(), b.receivedLsn(), why, causeOf(s), hung))
                .orElseGet(() -> refuse(s, why + ", and no standby answers"));
    }

    /** Why a primary is given up, as events name it: {@code unresponsive}, {@code data lost} or {@code stopped}. */
    static String causeOf(Situation s) {
        return s.primaryHung() ? "unresponsive" : s.primaryDataIntact() ? "stopped" : "data lost";
    }

    /** No standby may take over: a hung primary is killed to start again, a stopped one waited for. */
    private static Decision refuse(Situation s, String reason) {
        return s.primaryHung() ? new Decision.Kill(s.primaryIndex(), reason) : new Decision.Refuse(reason);
    }

    /** The standby a switchover promotes: the one named (when it streams), else the streaming one that received the most. */
    static Optional<Standby> switchoverTarget(List<Standby> standbys, Optional<String> named) {
        List<Standby> streaming = standbys.stream().filter(Standby::running).filter(s -> s.receivedLsn() != null).toList();
        if (named.isPresent()) {
            return streaming.stream().filter(s -> s.name().equals(named.get())).findFirst();
        }
        return streaming.stream().max(Comparator.comparingLong(Standby::receivedLsn)
                .thenComparing(Comparator.comparingInt(Standby::index).reversed()));
    }

    /** {@code q} and the names of {@code ANY q (a, b)} (or {@code FIRST q (...)}, or a plain list: q = 1); empty text: 0. */
    static int quorumOf(String standbyNames) {
        Matcher m = Pattern.compile("^\\s*(?:ANY|FIRST)?\\s*(\\d+)\\s*\\(").matcher(standbyNames);
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        return standbyNames.isBlank() ? 0 : 1;
    }

    static List<String> namesOf(String standbyNames) {
        String inner = standbyNames.contains("(") ? standbyNames.substring(standbyNames.indexOf('(') + 1, standbyNames.lastIndexOf(')'))
                : standbyNames;
        return Arrays.stream(inner.split(",")).map(n -> n.strip().replace("\"", "")).filter(n -> !n.isEmpty()).toList();
    }
}
