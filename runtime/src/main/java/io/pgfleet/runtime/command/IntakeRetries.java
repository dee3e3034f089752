package io.pgfleet.runtime.command;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * How a record whose handling throws is read again ({@link CommandIntake}).
 *
 * @param maxAttempts the readings before the command is answered {@code FAILED} and set aside (at least 1)
 * @param maxBackoff  the longest pause between two readings
 */
public record IntakeRetries(int maxAttempts, Duration maxBackoff) {

    public IntakeRetries {
        maxAttempts = Math.max(1, maxAttempts);
    }

    /** The retries from the configuration. */
    @Factory
    static class FromConfiguration {

        @Singleton
        IntakeRetries intakeRetries(@Value("${pgfleet.intake.max-attempts:8}") int maxAttempts,
                                    @Value("${pgfleet.intake.max-backoff:10s}") Duration maxBackoff) {
            return new IntakeRetries(maxAttempts, maxBackoff);
        }
    }
}
