package io.pgfleet.runtime;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Beans every service uses. */
@Factory
public class RuntimeFactory {

    /** The clock of events and schedules; tests replace it to drive time. */
    @Singleton
    @Requires(missingBeans = Clock.class)
    Clock clock() {
        return Clock.systemUTC();
    }
}
