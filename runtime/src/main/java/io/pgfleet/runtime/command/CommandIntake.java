package io.pgfleet.runtime.command;

import io.micronaut.context.annotation.Value;
import io.pgfleet.events.envelope.BadRecordException;
import io.pgfleet.events.envelope.CloudEventCodec;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.runtime.tenancy.Tenancy;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one way a command enters a service: decode the CloudEvent, dead-letter what cannot be read,
 * then (in one transaction) record the command id, validate, record the work and the status event.
 * The listeners of the three services only hand records to {@link #receive}.
 *
 * <p>A record whose handling throws is read again after a back-off that doubles from 200 ms up to
 * {@code pgfleet.intake.max-backoff} (default 10s), for as long as it takes (a database outage); after
 * {@code pgfleet.intake.max-attempts} (default 8) the command is answered {@code FAILED} with the
 * error and the record goes to the dead-letter topic, so one command that always fails does not hold
 * up the partition.
 */
@Singleton
public class CommandIntake {

    private static final Logger LOG = LoggerFactory.getLogger(CommandIntake.class);

    private final IntakeTransaction transaction;
    private final DeadLetters deadLetters;
    private final CommandHandler handler;
    private final PgfleetSettings settings;
    private final Tenancy tenancy;
    private final io.pgfleet.runtime.secrets.FleetKeys keys;
    private final int maxAttempts;
    private final java.time.Duration maxBackoff;
    /** Records being read again after an error (topic/partition/offset → attempts so far). */
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

    public CommandIntake(IntakeTransaction transaction, DeadLetters deadLetters, CommandHandler handler, PgfleetSettings settings, Tenancy tenancy,
                         io.pgfleet.runtime.secrets.FleetKeys keys,
                         @Value("${pgfleet.intake.max-attempts:8}") int maxAttempts,
                         @Value("${pgfleet.intake.max-backoff:10s}") java.time.Duration maxBackoff) {
        this.maxBackoff = maxBackoff;
        this.maxAttempts = Math.max(1, maxAttempts);
        this.transaction = transaction;
        this.deadLetters = deadLetters;
        this.handler = handler;
        this.settings = settings;
        this.tenancy = tenancy;
        this.keys = keys;
    }

    /**
     * Handles one record; returns once its outcome is committed (or dead-lettered). A command is what its topic
     * says: a record whose {@code ce_type} is another type is dead-lettered. In tenant mode the topic's namespace is
     * the command's: a command that names no namespace is in it, one that names another is {@code REJECTED}.
     */
    public void receive(ConsumerRecord<String, byte[]> record) {
        Optional<Tenancy.Origin> topic = tenancy.origin(record.topic());
        if (topic.isEmpty()) {
            deadLetters.send(record, "topic " + record.topic() + " carries no pgfleet command type" + (tenancy.namespaced()
                    ? " (tenant mode: pgfleet.<namespace>.command.<type>)" : ""));
            return;
        }
        String namespace = topic.get().namespace() != null ? topic.get().namespace() : settings.defaultNamespace();
        DecodedCommand command;
        try {
            command = CloudEventCodec.decodeCommand(record, namespace, settings.validationPolicy().limits().maxPayloadBytes());
        } catch (BadRecordException e) {
            deadLetters.send(record, e.getMessage());
            return;
        }
        if (command.type() != topic.get().type()) {
            deadLetters.send(record, "ce_type '" + command.type().ceType() + "' is not the type of topic " + record.topic() + ", which carries "
                    + topic.get().type().id() + " commands (" + topic.get().type().ceType() + "); a command is what its topic says, "
                    + "so this one was not carried out");
            return;
        }
        if (!handler.commandTypes().contains(command.type())) {
            deadLetters.send(record, settings.serviceName() + " does not take " + command.type().ceType() + " commands");
            return;
        }
        String origin = record.topic() + "/" + record.partition() + "/" + record.offset();
        String fingerprint = CommandFingerprint.of(command, record.value(), keys.derivedKey("command-fingerprint"));
        try (MDC.MDCCloseable instance = MDC.putCloseable("instance", command.instance().toString());
             MDC.MDCCloseable id = MDC.putCloseable("commandId", command.commandId())) {
            try {
                if (topic.get().namespace() != null && !command.instance().namespace().equals(namespace)) {
                    transaction.reject(command, fingerprint, namespace, new FieldError("metadata.namespace", "'"
                            + command.instance().namespace() + "' is not the namespace of topic " + record.topic() + " ('" + namespace
                            + "'): in tenant mode a command acts only on its topic's namespace"));
                } else {
                    transaction.handle(command, fingerprint);
                }
            } catch (RuntimeException e) {
                int attempt = attempts.merge(origin, 1, Integer::sum);
                String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (attempt < maxAttempts) {
                    java.time.Duration backoff = backoff(attempt);
                    LOG.warn("{} command could not be taken (attempt {} of {}), read again in {} ms: {}", command.type().id(), attempt,
                            maxAttempts, backoff.toMillis(), reason);
                    java.util.concurrent.locks.LockSupport.parkNanos(backoff.toNanos());
                    throw e;
                }
                // The same record failed every time: answered FAILED (which needs the state database: while it is
                // down this throws and the record is read again) and set aside, so the commands behind it go on.
                pauseBeforeAnswering(attempt);
                transaction.fail(command, fingerprint, "the " + command.type().id() + " command could not be taken (" + attempt + " attempts): "
                        + reason + "; it was sent to " + PgfleetSettings.deadLetterTopic(record.topic()));
                deadLetters.send(record, reason);
            }
            attempts.remove(origin);
        }
    }

    /** 200 ms, doubled at each attempt, at most {@code pgfleet.intake.max-backoff}. */
    java.time.Duration backoff(int attempt) {
        long millis = 200L << Math.min(attempt - 1, 20);
        return java.time.Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /** Past the attempts, answering FAILED may itself fail (the database is away): the back-off goes on meanwhile. */
    private void pauseBeforeAnswering(int attempt) {
        if (attempt > maxAttempts) {
            java.util.concurrent.locks.LockSupport.parkNanos(backoff(attempt).toNanos());
        }
    }
}
