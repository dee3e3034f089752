package io.pgfleet.runtime.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every event fits in a Kafka record: errors are counted past a hundred, long texts cut, huge details replaced. */
class StatusOutboxTest {

    private static StatusEvent event(String message, List<FieldError> errors, Map<String, Object> details) {
        return new StatusEvent("c-1", "tenant/db", "provisioner", "provision", Phase.REJECTED, "ValidationFailed", message, null, errors,
                details, Instant.parse("2026-11-30T12:00:00Z"));
    }

    @Test
    void tenThousandErrorsBecomeAHundredAndACount() throws Exception {
        List<FieldError> errors = IntStream.range(0, 10_000).mapToObj(i -> new FieldError("spec.users.u" + i, "not a valid name")).toList();
        StatusEvent capped = StatusOutbox.capped(event("invalid", errors, null));
        assertThat(capped.errors()).hasSize(StatusOutbox.MAX_ERRORS + 1);
        assertThat(capped.errors().get(0).path()).isEqualTo("spec.users.u0");
        assertThat(capped.errors().get(StatusOutbox.MAX_ERRORS).message()).isEqualTo("and 9900 more errors");
        assertThat(Json.mapper().writeValueAsBytes(capped).length).isLessThan(64 * 1024);
    }

    @Test
    void aLongMessageIsCutAndSaysHowMuchWasLeftOut() throws Exception {
        StatusEvent capped = StatusOutbox.capped(event("x".repeat(10_000), null, null));
        assertThat(capped.message()).startsWith("x".repeat(StatusOutbox.MAX_MESSAGE)).endsWith("(6000 more characters)");
    }

    @Test
    void hugeDetailsAreReplacedByANote() throws Exception {
        StatusEvent capped = StatusOutbox.capped(event("done", null, Map.of("blob", "y".repeat(1024 * 1024))));
        assertThat(capped.details()).containsOnlyKeys("truncated");
    }

    @Test
    void anOrdinaryEventIsLeftAsItIs() throws Exception {
        StatusEvent ordinary = event("done", List.of(new FieldError("spec.replicas", "must be at least 1, got 0")), Map.of("members", 3));
        assertThat(StatusOutbox.capped(ordinary)).isSameAs(ordinary);
    }
}
