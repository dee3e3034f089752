package io.pgfleet.clusters.local;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * How the local driver runs and watches its members; the keys are described with {@link LocalSettings}.
 *
 * @param tls               whether members serve TLS
 * @param pgbackrest        the pgBackRest program the members archive their WAL with
 * @param failoverDelay     how long a stopped primary whose data is intact is given to start again
 * @param archiveDelay      the most a written WAL record waits to be archived
 * @param probeTimeout      the most the driver waits for a member to answer a look at it
 * @param unresponsiveAfter how long a running primary may leave the driver's probes unanswered before it is replaced
 * @param warmPool          how many data directories are made ahead per storage class
 */
public record MemberSettings(boolean tls, String pgbackrest, Duration failoverDelay, Duration archiveDelay, Duration probeTimeout,
                             Duration unresponsiveAfter, int warmPool) {

    /** The settings from the configuration. */
    @Factory
    static class FromConfiguration {

        @Singleton
        MemberSettings memberSettings(@Value("${pgfleet.local.tls:true}") boolean tls,
                                      @Value("${pgfleet.local.pgbackrest:pgbackrest}") String pgbackrest,
                                      @Value("${pgfleet.local.failover-delay:10s}") Duration failoverDelay,
                                      @Value("${pgfleet.local.archive-delay:60s}") Duration archiveDelay,
                                      @Value("${pgfleet.local.probe-timeout:2s}") Duration probeTimeout,
                                      @Value("${pgfleet.local.unresponsive-after:10s}") Duration unresponsiveAfter,
                                      @Value("${pgfleet.local.warm-pool:2}") int warmPool) {
            return new MemberSettings(tls, pgbackrest, failoverDelay, archiveDelay, probeTimeout, unresponsiveAfter, warmPool);
        }
    }
}
