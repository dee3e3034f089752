package io.pgfleet.events.envelope;

import java.net.URI;
import java.time.Instant;

/**
 * The CloudEvents context attributes of a record.
 *
 * @param id            unique per source; for commands the command id and idempotency key
 * @param source        who published it, e.g. {@code /pgfleet/cli}
 * @param type          versioned type, e.g. {@code io.pgfleet.command.provision.v1}
 * @param time          when it was published, or {@code null}
 * @param subject       the instance key {@code <namespace>/<name>}, or {@code null}
 * @param correlationId the command an event answers, or {@code null}
 */
public record CloudEventAttributes(String id, URI source, String type, Instant time, String subject, String correlationId) {
}
