package io.pgfleet.runtime.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a reconcile step says should happen next: done, come back later (with what is under way), or
 * failed (with a reason for people). Errors become status, not stack traces.
 *
 * @param outcome what happened
 * @param message a message: the step under way, the result, or the failure's reason
 * @param after   with {@code WAIT}: when to come back
 * @param details with {@code DONE} (and a {@code FAILED} that has some): facts for the status event (members, primary
 *                address; what a drill found)
 * @param polls   with {@code WAIT}: {@code after} is the longest pause of a poll that starts short and backs off
 * @param facts   what the step established for its job handler to act on (typed records, e.g. the new primary of a
 *                failover), read with {@link #fact}; unlike {@code details}, never read back by name
 */
public record Step(Outcome outcome, String message, Duration after, Map<String, Object> details, boolean polls, List<Object> facts) {

    /** The shortest pause of a poll. */
    static final Duration FIRST_POLL = Duration.ofMillis(10);

    public Step {
        facts = List.copyOf(facts);
    }

    public Step(Outcome outcome, String message, Duration after, Map<String, Object> details) {
        this(outcome, message, after, details, false, List.of());
    }

    public Step(Outcome outcome, String message, Duration after, Map<String, Object> details, boolean polls) {
        this(outcome, message, after, details, polls, List.of());
    }

    /** The same step with one more fact (one per type: a fact of the same type is replaced). */
    public Step with(Object fact) {
        List<Object> more = new ArrayList<>(facts);
        more.removeIf(f -> f.getClass().equals(fact.getClass()));
        more.add(fact);
        return new Step(outcome, message, after, details, polls, more);
    }

    /** The same step with the facts of another (the step it was made from) too. */
    public Step withFactsOf(Step other) {
        Step step = this;
        for (Object fact : other.facts()) {
            step = step.with(fact);
        }
        return step;
    }

    /** The fact of that type, if the step established one. */
    public <T> Optional<T> fact(Class<T> type) {
        return facts.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The kinds of outcome. */
    public enum Outcome { DONE, WAIT, FAILED }

    public static Step done(String message, Map<String, Object> details) {
        return new Step(Outcome.DONE, message, Duration.ZERO, details);
    }

    /** Continue at once with the next step; {@code step} says what was done. */
    public static Step next(String step) {
        return new Step(Outcome.WAIT, step, Duration.ZERO, Map.of());
    }

    /** Come back after a while; {@code step} says what is awaited. */
    public static Step waitFor(String step, Duration after) {
        return new Step(Outcome.WAIT, step, after, Map.of());
    }

    /**
     * Come back soon to look again at something PostgreSQL will do by itself (start, promote, catch up): after 10 ms, then
     * after half the time this step has waited so far, at most {@code longest}; so a short wait ends soon after what it
     * waits for, and a long one is not polled often.
     */
    public static Step poll(String step, Duration longest) {
        return new Step(Outcome.WAIT, step, longest, Map.of(), true);
    }

    /** The pause before the next look, for a step that has waited {@code waited} so far (pure). */
    public Duration pause(Duration waited) {
        if (!polls) {
            return after;
        }
        Duration half = waited.dividedBy(2);
        return half.compareTo(FIRST_POLL) < 0 ? FIRST_POLL : half.compareTo(after) > 0 ? after : half;
    }

    public static Step failed(String reason) {
        return new Step(Outcome.FAILED, reason, Duration.ZERO, Map.of());
    }

    /** Failed, with facts for the status event (what a check found). */
    public static Step failed(String reason, Map<String, Object> details) {
        return new Step(Outcome.FAILED, reason, Duration.ZERO, details);
    }
}
