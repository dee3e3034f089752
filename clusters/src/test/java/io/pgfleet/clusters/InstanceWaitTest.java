package io.pgfleet.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstanceWaitTest {

    private static final InstanceKey KEY = new InstanceKey("tenant-a", "later");
    private static final Instant CREATED = Instant.parse("2026-11-30T12:00:00Z");
    private final InstanceWait wait = new InstanceWait(Duration.ofMinutes(10));

    @Test
    void anInstanceThatExistsNeedsNoWaiting() {
        assertThat(wait.untilItExists(KEY, Optional.of(new Endpoint("127.0.0.1", 5432, "postgres", "x")), CREATED, CREATED)).isEmpty();
    }

    @Test
    void anAbsentInstanceIsLookedAtSoonThenLessOftenUntilTheDeadline() {
        Step step = wait.untilItExists(KEY, Optional.empty(), CREATED, CREATED.plus(Duration.ofMinutes(9))).orElseThrow();
        assertThat(step.outcome()).isEqualTo(Step.Outcome.WAIT);
        assertThat(step.message()).isEqualTo("waiting for instance tenant-a/later to exist");
        assertThat(step.pause(Duration.ZERO)).isEqualTo(Duration.ofMillis(10));
        assertThat(step.pause(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
        assertThat(step.pause(Duration.ofMinutes(1))).isEqualTo(InstanceWait.LONGEST).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void pastTheDeadlineTheJobFailsSayingHowLongItWaited() {
        Step step = wait.untilItExists(KEY, Optional.empty(), CREATED, CREATED.plus(Duration.ofMinutes(11))).orElseThrow();
        assertThat(step.outcome()).isEqualTo(Step.Outcome.FAILED);
        assertThat(step.message()).isEqualTo("instance tenant-a/later did not come into existence within 10m");
        assertThat(InstanceWait.text(Duration.ofSeconds(20))).isEqualTo("20s");
    }
}
