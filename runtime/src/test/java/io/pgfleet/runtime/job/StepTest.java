package io.pgfleet.runtime.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A poll comes back soon while its wait is young and backs off to its longest pause; a plain wait keeps its delay. */
class StepTest {

    @Test
    void aPollStartsShortAndBacksOffToItsLongestPause() {
        Step poll = Step.poll("member m-1 accepting connections", Duration.ofMillis(500));
        assertThat(poll.pause(Duration.ZERO)).isEqualTo(Duration.ofMillis(10));
        assertThat(poll.pause(Duration.ofMillis(15))).isEqualTo(Duration.ofMillis(10));
        assertThat(poll.pause(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(50));
        assertThat(poll.pause(Duration.ofMillis(600))).isEqualTo(Duration.ofMillis(300));
        assertThat(poll.pause(Duration.ofMinutes(5))).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aWaitComesBackAfterItsOwnDelayHoweverLongItWaited() {
        Step wait = Step.waitFor("the repository is locked", Duration.ofSeconds(5));
        assertThat(wait.pause(Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
        assertThat(wait.pause(Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(Step.next("member m-1 started").pause(Duration.ofSeconds(1))).isEqualTo(Duration.ZERO);
    }

    /** Two facts a driver's step may establish, standing for its typed records. */
    private record Primary(String name) {
    }

    private record Saved(long bytes) {
    }

    @Test
    void factsAreReadByTheirTypeOnePerTypeAndCarriedIntoAStepMadeFromAnother() {
        Step step = Step.done("ready", Map.of()).with(new Primary("pg-1")).with(new Saved(10)).with(new Primary("pg-2"));
        assertThat(step.fact(Primary.class)).contains(new Primary("pg-2"));
        assertThat(step.fact(Saved.class)).contains(new Saved(10));
        assertThat(step.facts()).hasSize(2);
        assertThat(Step.next("going on").fact(Primary.class)).isEmpty();
        Step merged = Step.done("ready; archived", Map.of("bytes", 10)).withFactsOf(step);
        assertThat(merged.fact(Primary.class)).contains(new Primary("pg-2"));
        assertThat(merged.details()).containsEntry("bytes", 10);
    }
}
