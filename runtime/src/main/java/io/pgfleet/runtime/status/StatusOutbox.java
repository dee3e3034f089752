package io.pgfleet.runtime.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.runtime.tenancy.Tenancy;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.support.TransactionSynchronization;
import io.pgfleet.runtime.db.StateNotifications;
import io.pgfleet.runtime.db.Wakeup;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.ArrayList;

/**
 * Writes status events to the outbox, in the caller's transaction (or its own), so that an event
 * exists exactly when the change it describes was committed. {@link OutboxRelay} publishes them: the commit wakes this
 * process's relay at once (the state database's announcement of it, see {@code StateNotifications}, comes a hand-off
 * later and wakes another replica's).
 */
@Singleton
public class StatusOutbox {

    private final OutboxRepository outbox;
    private final PgfleetSettings settings;
    private final Tenancy tenancy;
    private final Clock clock;
    private final TransactionOperations<?> transactions;
    private final Wakeup relay;

    public StatusOutbox(OutboxRepository outbox, PgfleetSettings settings, Tenancy tenancy, Clock clock, TransactionOperations<?> transactions,
                        StateNotifications notifications) {
        this.transactions = transactions;
        this.relay = notifications.outbox();
        this.outbox = outbox;
        this.settings = settings;
        this.tenancy = tenancy;
        this.clock = clock;
    }

    /** Records an event about a command. */
    @Transactional
    public void command(Answering to, Phase phase, String reason, String message, String step, List<FieldError> errors,
                        Map<String, Object> details) {
        emit(new StatusEvent(to.commandId(), to.instance().toString(), settings.serviceName(), to.commandType(), phase, reason, message, step,
                errors == null || errors.isEmpty() ? null : errors, details == null || details.isEmpty() ? null : details,
                Instant.now(clock)));
    }

    /** An answer to a command, from this service, now (to {@link #emit(StatusEvent, String) emit} where it is read). */
    public StatusEvent event(String commandId, String commandType, InstanceKey instance, Phase phase, String reason, String message,
                             List<FieldError> errors) {
        return new StatusEvent(commandId, instance.toString(), settings.serviceName(), commandType, phase, reason, message, null,
                errors == null || errors.isEmpty() ? null : errors, null, Instant.now(clock));
    }

    /** Records an observed change no command asked for (instance ready, degraded, ...). */
    @Transactional
    public void observed(InstanceKey instance, String concerning, Phase phase, String reason, String message, Map<String, Object> details) {
        command(new Answering(null, concerning, instance), phase, reason, message, null, null, details);
    }

    /** Records any event, capped ({@link #capped}) so that it can always be published, on its instance's status topics. */
    @Transactional
    public void emit(StatusEvent event) {
        emit(event, InstanceKey.of(event.instance()).namespace());
    }

    /**
     * Records an event on the status topics of {@code namespace}: the answer to a command goes where its publisher reads,
     * also when the command named an instance of another namespace.
     */
    @Transactional
    public void emit(StatusEvent event, String namespace) {
        try {
            String payload = Json.mapper().writeValueAsString(capped(event));
            for (String topic : tenancy.statusTopics(namespace)) {
                outbox.save(new OutboxRow(null, UUID.randomUUID(), topic, event.instance(), payload, Instant.now(clock), null));
            }
            transactions.findTransactionStatus().ifPresent(status -> status.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    relay.signal();
                }
            }));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a status event as JSON", e);
        }
    }

    /** Errors listed in one event; the rest are counted. */
    static final int MAX_ERRORS = 100;
    /** Characters of a message or of one error's message. */
    static final int MAX_MESSAGE = 4000;
    /** Bytes of the details of one event (JSON); larger details are replaced by a note. */
    static final int MAX_DETAILS_BYTES = 256 * 1024;

    /**
     * The event as it may be published: at most {@link #MAX_ERRORS} errors (then one saying how many more),
     * messages of at most {@link #MAX_MESSAGE} characters, details of at most {@link #MAX_DETAILS_BYTES} bytes, so that
     * no event is ever too large for Kafka and blocks the outbox behind it.
     */
    static StatusEvent capped(StatusEvent event) throws JsonProcessingException {
        List<FieldError> errors = event.errors();
        if (errors != null && (errors.size() > MAX_ERRORS || errors.stream().anyMatch(e -> e.message().length() > MAX_MESSAGE))) {
            List<FieldError> kept = new ArrayList<>(errors.stream().limit(MAX_ERRORS)
                    .map(e -> new FieldError(cut(e.path()), cut(e.message()))).toList());
            if (errors.size() > MAX_ERRORS) {
                kept.add(new FieldError("", "and " + (errors.size() - MAX_ERRORS) + " more errors"));
            }
            errors = kept;
        }
        Map<String, Object> details = event.details();
        if (details != null && Json.mapper().writeValueAsBytes(details).length > MAX_DETAILS_BYTES) {
            details = Map.of("truncated", "the details of this event were larger than " + MAX_DETAILS_BYTES + " bytes");
        }
        if (errors == event.errors() && details == event.details() && (event.message() == null || event.message().length() <= MAX_MESSAGE)) {
            return event;
        }
        return new StatusEvent(event.commandId(), event.instance(), event.service(), event.commandType(), event.phase(), event.reason(),
                event.message() == null ? null : cut(event.message()), event.step() == null ? null : cut(event.step()), errors, details,
                event.time());
    }

    private static String cut(String text) {
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + " … (" + (text.length() - MAX_MESSAGE) + " more characters)";
    }

    /**
     * What an event answers: a command (its id and type) on an instance; an observed change has no command id, and its type
     * says what it concerns.
     */
    public record Answering(String commandId, String commandType, InstanceKey instance) {
    }
}
