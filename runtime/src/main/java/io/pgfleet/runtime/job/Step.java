package io.pgfleet.runtime.job;

import java.time.Duration;
import java.util.Map;

/**
 * What a reconcile step says should happen next: done, come back later (with what is under way), or
 * failed (with a reason for people). Errors become status, not stack traces.
 *
 * @param outcome what happened
 * @param message a message: the step under way, the result, or the failure's reason
 * @param after   with {@code WAIT}: when to come back
 * @param details with {@code DONE}: facts for the status event (members, primary address)
 */
public record Step(Outcome outcome, String message, Duration after, Map<String, Object> details) {

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

    public static Step failed(String reason) {
        return new Step(Outcome.FAILED, reason, Duration.ZERO, Map.of());
    }
}
