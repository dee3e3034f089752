package io.pgfleet.runtime.command;

import io.pgfleet.events.envelope.BadRecordException;
import io.pgfleet.events.envelope.CloudEventCodec;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.runtime.PgfleetSettings;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.MDC;

/**
 * The one way a command enters a service: decode the CloudEvent, dead-letter what cannot be read,
 * then (in one transaction) record the command id, validate, record the work and the status event.
 * The listeners of the three services only hand records to {@link #receive}.
 */
@Singleton
public class CommandIntake {

    private final IntakeTransaction transaction;
    private final DeadLetters deadLetters;
    private final CommandHandler handler;
    private final PgfleetSettings settings;

    public CommandIntake(IntakeTransaction transaction, DeadLetters deadLetters, CommandHandler handler, PgfleetSettings settings) {
        this.transaction = transaction;
        this.deadLetters = deadLetters;
        this.handler = handler;
        this.settings = settings;
    }

    /** Handles one record; returns once its outcome is committed (or dead-lettered). */
    public void receive(ConsumerRecord<String, byte[]> record) {
        DecodedCommand command;
        try {
            command = CloudEventCodec.decodeCommand(record, settings.defaultNamespace());
        } catch (BadRecordException e) {
            deadLetters.send(record, e.getMessage());
            return;
        }
        if (!handler.commandTypes().contains(command.type())) {
            deadLetters.send(record, settings.serviceName() + " does not take " + command.type().ceType() + " commands");
            return;
        }
        try (MDC.MDCCloseable instance = MDC.putCloseable("instance", command.instance().toString());
             MDC.MDCCloseable id = MDC.putCloseable("commandId", command.commandId())) {
            transaction.handle(command);
        }
    }
}
