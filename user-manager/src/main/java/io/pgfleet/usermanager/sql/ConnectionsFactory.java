package io.pgfleet.usermanager.sql;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The service's {@link InstanceConnections}. {@code pgfleet.user-manager.connection-idle} (default 30s): how long a
 * connection to an instance is kept open unused; 0 closes every connection after use.
 * {@code pgfleet.user-manager.max-idle-connections} (default 200): the unused connections kept, over all instances.
 */
@Factory
public class ConnectionsFactory {

    @Singleton
    @Bean(preDestroy = "close")
    InstanceConnections instanceConnections(@Value("${pgfleet.user-manager.connection-idle:30s}") Duration idle,
                                            @Value("${pgfleet.user-manager.max-idle-connections:200}") int maxIdle) {
        return new InstanceConnections(idle, maxIdle);
    }

    /** Closes the connections left idle too long. */
    @Singleton
    static class Sweeper {

        private final InstanceConnections connections;

        Sweeper(InstanceConnections connections) {
            this.connections = connections;
        }

        @Scheduled(fixedDelay = "5s")
        void closeExpired() {
            connections.closeExpired();
        }
    }
}
