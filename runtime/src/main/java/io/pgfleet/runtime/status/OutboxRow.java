package io.pgfleet.runtime.status;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/** A status event waiting to be relayed (or already relayed) to Kafka. */
@MappedEntity("outbox")
public record OutboxRow(
        @Id @GeneratedValue @Nullable Long id,
        UUID eventId,
        String topic,
        String instance,
        String payload,
        Instant createdAt,
        @Nullable Instant publishedAt) {
}
