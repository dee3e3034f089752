package io.pgfleet.runtime.status;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.pgfleet.runtime.db.Loop;
import io.pgfleet.runtime.db.StateNotifications;
import io.pgfleet.runtime.db.Wakeup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;

/**
 * Runs the {@link OutboxRelay} as soon as a status event is committed (the state database announces it, see
 * {@link StateNotifications}), and every {@code pgfleet.outbox.interval} (default 10s) as a safety net. When
 * Kafka refuses, it tries again after 250ms, backing off up to the interval.
 */
@Context
public class OutboxPump {

    private static final Duration FIRST_RETRY = Duration.ofMillis(250);

    private final OutboxRelay relay;
    private final Wakeup wakeup;
    private final Duration interval;
    private Loop loop;

    public OutboxPump(OutboxRelay relay, StateNotifications notifications, @Value("${pgfleet.outbox.interval:10s}") Duration interval) {
        this.relay = relay;
        this.wakeup = notifications.outbox();
        this.interval = interval;
    }

    @PostConstruct
    void start() {
        loop = Loop.start("outbox-relay", this::run);
    }

    @PreDestroy
    void stop() throws InterruptedException {
        loop.stop(Duration.ofSeconds(35));
    }

    private void run(Loop loop) {
        relay.prepare();
        Duration retry = FIRST_RETRY;
        while (loop.running()) {
            long seen = wakeup.generation();
            boolean relayed = relay.relayAll();
            retry = relayed ? FIRST_RETRY : retry;
            try {
                wakeup.await(seen, relayed ? interval : retry);
            } catch (InterruptedException e) {
                return;
            }
            if (!relayed) {
                retry = retry.multipliedBy(2).compareTo(interval) > 0 ? interval : retry.multipliedBy(2);
            }
        }
    }
}
