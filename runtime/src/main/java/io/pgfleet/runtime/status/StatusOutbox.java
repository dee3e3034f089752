package io.pgfleet.runtime.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.PgfleetSettings;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes status events to the outbox, in the caller's transaction (or its own), so that an event
 * exists exactly when the change it describes was committed. {@link OutboxRelay} publishes them.
 */
@Singleton
public class StatusOutbox {

    private final OutboxRepository outbox;
    private final PgfleetSettings settings;
    private final Clock clock;

    public StatusOutbox(OutboxRepository outbox, PgfleetSettings settings, Clock clock) {
        this.outbox = outbox;
        this.settings = settings;
        this.clock = clock;
    }

    /** Records an event about a command. */
    @Transactional
    public void command(String commandId, String commandType, InstanceKey instance, Phase phase, String reason, String message,
                        String step, List<FieldError> errors, Map<String, Object> details) {
        emit(new StatusEvent(commandId, instance.toString(), settings.serviceName(), commandType, phase, reason, message, step,
                errors == null || errors.isEmpty() ? null : errors, details == null || details.isEmpty() ? null : details,
                Instant.now(clock)));
    }

    /** Records an observed change no command asked for (instance ready, degraded, ...). */
    @Transactional
    public void observed(InstanceKey instance, String concerning, Phase phase, String reason, String message, Map<String, Object> details) {
        command(null, concerning, instance, phase, reason, message, null, null, details);
    }

    /** Records any event. */
    @Transactional
    public void emit(StatusEvent event) {
        try {
            outbox.save(new OutboxRow(null, UUID.randomUUID(), settings.statusTopic(), event.instance(),
                    Json.mapper().writeValueAsString(event), Instant.now(clock), null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a status event as JSON", e);
        }
    }
}
