package io.pgfleet.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A hundred callers of an expensive view at once cause one computation, and the next caller a fresh one. */
class SingleFlightTest {

    @Test
    void callersAtOnceShareOneComputationAndTheNextStartsAFreshOne() throws Exception {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        AtomicInteger computed = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(100);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(callers.submit(() -> {
                    started.incrementAndGet();
                    return flight.get("tenant-a/shop", key -> {
                        computed.incrementAndGet();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return 42;
                    });
                }));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 100);
            release.countDown();
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(42);
            }
            // one, or two if a caller was descheduled until after the first finished; a hundred without SingleFlight
            assertThat(computed.get()).as("the callers that came while it ran shared it").isLessThanOrEqualTo(2);
            assertThat(flight.get("tenant-a/shop", key -> 43)).as("nothing kept once done").isEqualTo(43);
        } finally {
            callers.shutdownNow();
        }
    }
}
