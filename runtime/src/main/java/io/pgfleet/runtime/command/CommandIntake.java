package io.pgfleet.runtime.command;

import io.pgfleet.events.envelope.DeadLetterHeaders;
import io.pgfleet.events.envelope.BadRecordException;
import io.pgfleet.events.envelope.CloudEventCodec;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.runtime.tenancy.Tenancy;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import io.pgfleet.runtime.secrets.FleetKeys;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The one way a command enters a service: decode the CloudEvent, dead-letter what cannot be read,
 * then (in one transaction) record the command id, validate, record the work and the status event.
 * The listeners of the three services only hand a poll's records to {@link #receiveAll}.
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

    /**
     * How long a listener's poll waits for records, and how long Kafka holds a fetch that finds none. A record that
     * arrives ends both at once, so neither delays a command; they only set how often an idle listener wakes (with
     * micronaut's 100 ms and Kafka's 500 ms, ten times a second: about 0.8 % of a core per service, the largest part of
     * an idle service's CPU). {@code pgfleet.intake.poll-timeout} (default 2s): how long a listener's poll waits for
     * records. {@code pgfleet.intake.fetch-max-wait-ms} (default 2000): how long the broker holds a fetch that finds none.
     */
    public static final String POLL_TIMEOUT = "${pgfleet.intake.poll-timeout:2s}";
    public static final String FETCH_MAX_WAIT_MS = "${pgfleet.intake.fetch-max-wait-ms:2000}";

    private final IntakeTransaction transaction;
    private final DeadLetters deadLetters;
    private final CommandHandler handler;
    private final PgfleetSettings settings;
    private final Tenancy tenancy;
    private final FleetKeys keys;
    private final int maxAttempts;
    private final Duration maxBackoff;
    /** Records being read again after an error (topic/partition/offset → attempts so far). */
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

    public CommandIntake(IntakeTransaction transaction, DeadLetters deadLetters, CommandHandler handler, PgfleetSettings settings, Tenancy tenancy,
                         FleetKeys keys, IntakeRetries retries) {
        this.maxBackoff = retries.maxBackoff();
        this.maxAttempts = retries.maxAttempts();
        this.transaction = transaction;
        this.deadLetters = deadLetters;
        this.handler = handler;
        this.settings = settings;
        this.tenancy = tenancy;
        this.keys = keys;
    }

    /**
     * Handles a poll's records in their order. A command is what its topic says: a record whose {@code ce_type} is
     * another type is dead-lettered. In tenant mode the topic's namespace is the command's: a command that names no
     * namespace is in it, one that names another is {@code REJECTED}. The commands between two records that
     * are dead-lettered are taken in one transaction (one commit, one wake-up of the workers and the relay) instead of
     * one each. When that transaction fails, its commands are taken one by one, so the one that cannot be taken is
     * answered alone and the others are not held up. When a record must be read again (its attempt failed), the
     * consumer is moved back to it, and on every other partition to its first record not handled yet: the offsets
     * committed after this returns are exactly where the handled records end, and none is handled twice.
     */
    public void receiveAll(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        int[] done = {0};
        try {
            List<Read.Taken> run = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                Read read = read(record);
                if (read instanceof Read.Taken taken) {
                    run.add(taken);
                    continue;
                }
                takeAll(run, done);
                deadLetters.send(record, ((Read.Refused) read).reason());
                done[0]++;
            }
            takeAll(run, done);
        } catch (RuntimeException e) {
            if (!(e instanceof ReadAgain)) {
                // A failed attempt was logged where it failed; anything else (a dead letter Kafka did not take) is told here.
                LOG.warn("records from {}/{}/{} on are read again: {}", records.get(done[0]).topic(), records.get(done[0]).partition(),
                        records.get(done[0]).offset(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
            Map<TopicPartition, Long> again = new LinkedHashMap<>();
            for (ConsumerRecord<String, byte[]> record : records.subList(done[0], records.size())) {
                again.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
            }
            again.forEach(consumer::seek);
        }
    }

    /** Takes the commands of a run (together when there are several) and empties it; {@code done} counts the records handled. */
    private void takeAll(List<Read.Taken> run, int[] done) {
        if (run.size() > 1) {
            try {
                transaction.handleAll(run.stream().map(Read.Taken::intake).toList());
                LOG.debug("{} commands taken together", run.size());
                done[0] += run.size();
                run.clear();
                return;
            } catch (RuntimeException e) {
                LOG.info("{} commands could not be taken together, taken one by one: {}", run.size(),
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        while (!run.isEmpty()) {
            take(run.get(0));
            run.remove(0);
            done[0]++;
        }
    }

    /** A command's attempt failed (and was logged): its record is read again after the back-off already waited. */
    private static final class ReadAgain extends RuntimeException {

        ReadAgain(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** What a record is: a command to take, or a reason to set it aside. */
    private sealed interface Read {

        record Taken(ConsumerRecord<String, byte[]> record, IntakeTransaction.Intake intake) implements Read {

            DecodedCommand command() {
                return intake.command();
            }
        }

        record Refused(String reason) implements Read {
        }
    }

    private Read read(ConsumerRecord<String, byte[]> record) {
        Optional<Tenancy.Origin> topic = tenancy.origin(record.topic());
        if (topic.isEmpty()) {
            return new Read.Refused("topic " + record.topic() + " carries no pgfleet command type" + (tenancy.namespaced()
                    ? " (tenant mode: pgfleet.<namespace>.command.<type>)" : ""));
        }
        String namespace = topic.get().namespace() != null ? topic.get().namespace() : settings.defaultNamespace();
        DecodedCommand command;
        try {
            command = CloudEventCodec.decodeCommand(record, namespace, settings.validationPolicy().limits().maxPayloadBytes());
        } catch (BadRecordException e) {
            return new Read.Refused(e.getMessage());
        }
        if (command.type() != topic.get().type()) {
            return new Read.Refused("ce_type '" + command.type().ceType() + "' is not the type of topic " + record.topic() + ", which carries "
                    + topic.get().type().id() + " commands (" + topic.get().type().ceType() + "); a command is what its topic says, "
                    + "so this one was not carried out");
        }
        if (!handler.commandTypes().contains(command.type())) {
            return new Read.Refused(settings.serviceName() + " does not take " + command.type().ceType() + " commands");
        }
        String fingerprint = CommandFingerprint.of(command, record.value(), keys.derivedKey("command-fingerprint"));
        FieldError foreign = topic.get().namespace() != null && !command.instance().namespace().equals(namespace)
                ? new FieldError("metadata.namespace", "'" + command.instance().namespace() + "' is not the namespace of topic "
                        + record.topic() + " ('" + namespace + "'): in tenant mode a command acts only on its topic's namespace")
                : null;
        return new Read.Taken(record, new IntakeTransaction.Intake(command, fingerprint, namespace, foreign));
    }

    /** Takes one command in a transaction of its own; throws (after a back-off) when the record must be read again. */
    private void take(Read.Taken taken) {
        ConsumerRecord<String, byte[]> record = taken.record();
        DecodedCommand command = taken.command();
        String origin = record.topic() + "/" + record.partition() + "/" + record.offset();
        try {
            transaction.handleAll(List.of(taken.intake()));
        } catch (RuntimeException e) {
            try (MDC.MDCCloseable instance = MDC.putCloseable("instance", command.instance().toString());
                 MDC.MDCCloseable id = MDC.putCloseable("commandId", command.commandId())) {
                int attempt = attempts.merge(origin, 1, Integer::sum);
                String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (attempt < maxAttempts) {
                    Duration backoff = backoff(attempt);
                    LOG.warn("{} command could not be taken (attempt {} of {}), read again in {} ms: {}", command.type().id(), attempt,
                            maxAttempts, backoff.toMillis(), reason);
                    LockSupport.parkNanos(backoff.toNanos());
                    throw new ReadAgain(e);
                }
                // The same record failed every time: answered FAILED (which needs the state database: while it is
                // down this throws and the record is read again) and set aside, so the commands behind it go on.
                pauseBeforeAnswering(attempt);
                transaction.fail(command, taken.intake().fingerprint(), "the " + command.type().id() + " command could not be taken ("
                        + attempt + " attempts): " + reason + "; it was sent to " + DeadLetterHeaders.topic(record.topic()));
                deadLetters.send(record, reason);
            }
        }
        attempts.remove(origin);
    }

    /** 200 ms, doubled at each attempt, at most {@code pgfleet.intake.max-backoff}. */
    Duration backoff(int attempt) {
        long millis = 200L << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /** Past the attempts, answering FAILED may itself fail (the database is away): the back-off goes on meanwhile. */
    private void pauseBeforeAnswering(int attempt) {
        if (attempt > maxAttempts) {
            LockSupport.parkNanos(backoff(attempt).toNanos());
        }
    }
}
