package io.pgfleet.events.envelope;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.InstanceCommand;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.json.MalformedPayloadException;
import io.pgfleet.events.json.Parsed;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.events.validation.ValidationPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import io.pgfleet.events.fleet.InstanceState;

/**
 * Turns payloads into Kafka records in CloudEvents 1.0 binary mode (JSON value, {@code ce_*}
 * headers, key {@code <namespace>/<name>}) and back.
 */
public final class CloudEventCodec {

    private CloudEventCodec() {
    }

    /**
     * A command record.
     *
     * @param topic     where it goes
     * @param type      which command
     * @param instance  the instance (record key and subject)
     * @param commandId the command id: the CloudEvents id and the idempotency key
     * @param source    who publishes it
     * @param time      when
     * @param payload   the payload record of {@code type}
     */
    public static ProducerRecord<String, byte[]> command(String topic, CommandType type, InstanceKey instance, String commandId,
                                                         URI source, Instant time, Object payload) {
        if (!type.payloadType().isInstance(payload)) {
            throw new IllegalArgumentException(type.id() + " takes a " + type.payloadType().getSimpleName() + " payload");
        }
        Headers headers = headers(commandId, source, type.ceType(), type.dataSchema(), time, instance.toString(), null);
        return new ProducerRecord<>(topic, null, instance.toString(), json(payload), headers);
    }

    /** A status record; {@code eventId} is its own CloudEvents id. */
    public static ProducerRecord<String, byte[]> status(String topic, String eventId, URI source, StatusEvent event) {
        Headers headers = headers(eventId, source, StatusEvent.CE_TYPE, StatusEvent.DATA_SCHEMA, event.time(), event.instance(),
                event.commandId());
        return new ProducerRecord<>(topic, null, event.instance(), json(event), headers);
    }

    /**
     * A record of the fleet-state topic: the instance's latest state, or its tombstone ({@code state} null: the instance
     * was deleted; the record keeps its headers, so a reader sees who said so and when).
     */
    public static ProducerRecord<String, byte[]> instanceState(String topic, String eventId, URI source, String instance,
                                                               InstanceState state, Instant time) {
        Headers headers = headers(eventId, source, InstanceState.CE_TYPE,
                InstanceState.DATA_SCHEMA, time, instance, null);
        return new ProducerRecord<>(topic, null, instance, state == null ? null : json(state), headers);
    }

    /**
     * Reads a command record.
     *
     * @param defaultNamespace the namespace of a command that names none
     * @throws BadRecordException when the record is not one of our CloudEvents at all
     */
    public static DecodedCommand decodeCommand(ConsumerRecord<String, byte[]> record, String defaultNamespace)
            throws BadRecordException {
        return decodeCommand(record, defaultNamespace, ValidationPolicy.Limits.DEFAULTS.maxPayloadBytes());
    }

    /**
     * Reads a command record whose value may be at most {@code maxPayloadBytes} long: a longer one is
     * answered (rejected, when the key or subject names its instance) without being parsed.
     *
     * @throws BadRecordException when the record is not one of our CloudEvents at all
     */
    public static DecodedCommand decodeCommand(ConsumerRecord<String, byte[]> record, String defaultNamespace, int maxPayloadBytes)
            throws BadRecordException {
        CloudEventAttributes attributes = attributes(record.headers());
        CommandType type = CommandType.fromCeType(attributes.type()).orElseThrow(() -> new BadRecordException(
                "ce_type " + CeHeaders.shown(attributes.type()) + " is not a pgfleet command type; expected one of "
                        + Arrays.stream(CommandType.values()).map(CommandType::ceType).toList()));
        Parsed<?> parsed = record.value() != null && record.value().length > maxPayloadBytes
                ? new Parsed<>(null, List.of(new FieldError("", "the payload is " + record.value().length + " bytes; at most "
                        + maxPayloadBytes + " are taken")))
                : parse(record.value(), type.payloadType());
        List<FieldError> errors = new ArrayList<>(parsed.errors());
        InstanceKey fromPayload = parsed.isOk() ? instanceOf(parsed.value(), defaultNamespace) : null;
        InstanceKey fromKey = keyOrNull(record.key(), defaultNamespace, "record key", errors);
        InstanceKey fromSubject = keyOrNull(attributes.subject(), defaultNamespace, CeHeaders.SUBJECT, errors);
        if (fromPayload != null) {
            if (fromKey != null && !fromKey.equals(fromPayload)) {
                errors.add(new FieldError("record key", CeHeaders.shown(record.key()) + " names another instance than the payload (" + fromPayload + ")"));
            }
            if (fromSubject != null && !fromSubject.equals(fromPayload)) {
                errors.add(new FieldError(CeHeaders.SUBJECT, CeHeaders.shown(attributes.subject()) + " names another instance than the payload ("
                        + fromPayload + ")"));
            }
        }
        InstanceKey instance = fromPayload != null ? fromPayload : fromKey != null ? fromKey : fromSubject;
        if (instance == null) {
            throw new BadRecordException("the record names no instance: no valid key, ce_subject or payload");
        }
        return new DecodedCommand(attributes, type, instance, errors.isEmpty() ? parsed.value() : null, errors);
    }

    /**
     * Reads a status record.
     *
     * @throws BadRecordException when it is not a pgfleet status event
     */
    public static StatusEvent decodeStatus(ConsumerRecord<String, byte[]> record) throws BadRecordException {
        CloudEventAttributes attributes = attributes(record.headers());
        if (!StatusEvent.CE_TYPE.equals(attributes.type())) {
            throw new BadRecordException("ce_type " + CeHeaders.shown(attributes.type()) + " is not " + StatusEvent.CE_TYPE);
        }
        Parsed<StatusEvent> parsed = parse(record.value(), StatusEvent.class);
        if (!parsed.isOk()) {
            throw new BadRecordException("invalid status event: " + parsed.errors());
        }
        return parsed.value();
    }

    /**
     * The CloudEvents attributes of a record, checked.
     *
     * @throws BadRecordException when a required attribute is missing or malformed
     */
    public static CloudEventAttributes attributes(Headers headers) throws BadRecordException {
        String specVersion = required(headers, CeHeaders.SPEC_VERSION);
        if (!CeHeaders.SPEC_VERSION_1_0.equals(specVersion)) {
            throw new BadRecordException("ce_specversion " + CeHeaders.shown(specVersion) + " is not supported; expected 1.0");
        }
        String id = required(headers, CeHeaders.ID);
        if (id.length() > CeHeaders.MAX_ID_LENGTH || !CeHeaders.printable(id)) {
            // the id names the command in every answer, log line and state row: printable, and bounded
            throw new BadRecordException("ce_id " + CeHeaders.shown(id) + " is not a command id: at most " + CeHeaders.MAX_ID_LENGTH
                    + " characters, none of them a control character");
        }
        String sourceText = required(headers, CeHeaders.SOURCE);
        String type = required(headers, CeHeaders.TYPE);
        String contentType = optional(headers, CeHeaders.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase().startsWith(CeHeaders.JSON)) {
            throw new BadRecordException("content-type " + CeHeaders.shown(contentType) + " is not " + CeHeaders.JSON);
        }
        URI source;
        try {
            source = new URI(sourceText);
        } catch (URISyntaxException e) {
            throw new BadRecordException("ce_source " + CeHeaders.shown(sourceText) + " is not a URI reference: " + e.getReason());
        }
        String timeText = optional(headers, CeHeaders.TIME);
        Instant time = null;
        if (timeText != null) {
            try {
                time = Instant.parse(timeText);
            } catch (DateTimeParseException e) {
                throw new BadRecordException("ce_time " + CeHeaders.shown(timeText) + " is not an RFC 3339 timestamp");
            }
        }
        return new CloudEventAttributes(id, source, type, time, optional(headers, CeHeaders.SUBJECT),
                optional(headers, CeHeaders.CORRELATION_ID));
    }

    private static <T> Parsed<T> parse(byte[] value, Class<T> type) throws BadRecordException {
        if (value == null || value.length == 0) {
            throw new BadRecordException("the record has no value; expected a JSON payload");
        }
        try {
            return PayloadReader.fromJson(value, type);
        } catch (MalformedPayloadException e) {
            throw new BadRecordException(e.getMessage());
        }
    }

    private static InstanceKey instanceOf(Object payload, String defaultNamespace) {
        if (payload instanceof Postgres postgres) {
            String namespace = postgres.metadata().namespace();
            return new InstanceKey(namespace == null ? defaultNamespace : namespace, postgres.metadata().name());
        }
        InstanceCommand command = (InstanceCommand) payload;
        return new InstanceKey(command.namespace() == null ? defaultNamespace : command.namespace(), command.instance());
    }

    private static InstanceKey keyOrNull(String text, String defaultNamespace, String path, List<FieldError> errors) {
        if (text == null) {
            return null;
        }
        try {
            return InstanceKey.parse(text, defaultNamespace);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(path, e.getMessage()));
            return null;
        }
    }

    private static Headers headers(String id, URI source, String type, URI dataSchema, Instant time, String subject,
                                   String correlationId) {
        RecordHeaders headers = new RecordHeaders();
        put(headers, CeHeaders.ID, id);
        put(headers, CeHeaders.SOURCE, source.toString());
        put(headers, CeHeaders.TYPE, type);
        put(headers, CeHeaders.SPEC_VERSION, CeHeaders.SPEC_VERSION_1_0);
        put(headers, CeHeaders.CONTENT_TYPE, CeHeaders.JSON);
        put(headers, CeHeaders.DATA_SCHEMA, dataSchema.toString());
        if (time != null) {
            put(headers, CeHeaders.TIME, time.toString());
        }
        put(headers, CeHeaders.SUBJECT, subject);
        if (correlationId != null) {
            put(headers, CeHeaders.CORRELATION_ID, correlationId);
        }
        return headers;
    }

    private static void put(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String required(Headers headers, String name) throws BadRecordException {
        String value = optional(headers, name);
        if (value == null || value.isBlank()) {
            throw new BadRecordException("missing header " + name + " (a CloudEvents 1.0 record in Kafka binary mode needs "
                    + "ce_id, ce_source, ce_type and ce_specversion)");
        }
        return value;
    }

    private static String optional(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] json(Object payload) {
        try {
            return Json.mapper().writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + payload.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
