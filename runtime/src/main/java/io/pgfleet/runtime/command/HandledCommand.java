package io.pgfleet.runtime.command;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import io.micronaut.core.annotation.Nullable;

/** A command id this service has handled, in the namespace of the instance the command names (ids are scoped by it). */
@MappedEntity("handled_command")
public record HandledCommand(String namespace, @Id String commandId, String commandType, String instance, Instant receivedAt,
                             @Nullable String fingerprint) {
}
