package io.pgfleet.events.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.pgfleet.events.contract.Examples;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.StatusEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class CloudEventCodecTest {

    private static final URI SOURCE = URI.create("/pgfleet/test");
    private static final Instant TIME = Instant.parse("2026-11-24T08:00:00Z");
    private static final InstanceKey INSTANCE = new InstanceKey("tenant-a", "postgres-dev");

    @ParameterizedTest
    @EnumSource(CommandType.class)
    void everyCommandTravelsAndComesBackEqual(CommandType type) throws Exception {
        Object payload = Examples.command(type);
        InstanceKey instance = type == CommandType.SCALE || type == CommandType.SWITCHOVER ? new InstanceKey("tenant-a", "postgres-ha") : INSTANCE;
        ProducerRecord<String, byte[]> record = CloudEventCodec.command(type.defaultTopic(), type, instance, "cmd-1", SOURCE, TIME, payload);

        assertThat(record.key()).isEqualTo(instance.toString());
        assertThat(header(record.headers(), "ce_type")).isEqualTo("io.pgfleet.command." + type.id() + ".v1");
        assertThat(header(record.headers(), "ce_subject")).isEqualTo(instance.toString());
        assertThat(header(record.headers(), "ce_dataschema")).isEqualTo("https://pgfleet.io/schemas/v1/" + type.id() + ".schema.json");

        DecodedCommand decoded = CloudEventCodec.decodeCommand(consumed(record), "default");
        assertThat(decoded.errors()).isEmpty();
        assertThat(decoded.type()).isEqualTo(type);
        assertThat(decoded.commandId()).isEqualTo("cmd-1");
        assertThat(decoded.instance()).isEqualTo(instance);
        assertThat(decoded.attributes().time()).isEqualTo(TIME);
        assertThat(decoded.payload()).isEqualTo(payload);
    }

    @Test
    void theCloudEventsSdkReadsOurRecords() {
        ProducerRecord<String, byte[]> record = CloudEventCodec.command("t", CommandType.BACKUP, INSTANCE, "cmd-42", SOURCE, TIME,
                Examples.command(CommandType.BACKUP));
        MessageReader reader = KafkaMessageFactory.createReader(record.headers(), record.value());
        CloudEvent event = reader.toEvent();
        assertThat(event.getId()).isEqualTo("cmd-42");
        assertThat(event.getType()).isEqualTo("io.pgfleet.command.backup.v1");
        assertThat(event.getSource()).isEqualTo(SOURCE);
        assertThat(event.getSubject()).isEqualTo("tenant-a/postgres-dev");
        assertThat(event.getTime().toInstant()).isEqualTo(TIME);
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(new String(event.getData().toBytes(), StandardCharsets.UTF_8)).contains("\"instance\":\"postgres-dev\"");
    }

    @Test
    void aStatusEventCarriesTheCorrelationExtension() throws Exception {
        StatusEvent event = Examples.statusEvents().get(0);
        ProducerRecord<String, byte[]> record = CloudEventCodec.status("pgfleet.status", "evt-1", SOURCE, event);
        CloudEvent sdk = KafkaMessageFactory.createReader(record.headers(), record.value()).toEvent();
        assertThat(sdk.getExtension("correlationid")).isEqualTo(event.commandId());
        assertThat(sdk.getDataSchema()).hasToString("https://pgfleet.io/schemas/v1/status.schema.json");
        assertThat(record.key()).isEqualTo(event.instance());
        assertThat(CloudEventCodec.decodeStatus(consumed(record))).isEqualTo(event);
    }

    @Test
    void aKeyWithoutNamespaceTakesTheDefault() throws Exception {
        ScaleCommand scale = new ScaleCommand("pg", null, 3, null, null);
        ProducerRecord<String, byte[]> record = CloudEventCodec.command("t", CommandType.SCALE, new InstanceKey("x", "pg"), "c", SOURCE,
                TIME, scale);
        ConsumerRecord<String, byte[]> consumed = withKeyAndHeader(record, "pg", h -> h.remove("ce_subject"));
        assertThat(CloudEventCodec.decodeCommand(consumed, "tenants").instance()).isEqualTo(new InstanceKey("tenants", "pg"));
    }

    @Test
    void aKeyNamingAnotherInstanceIsAnErrorOfTheCommand() throws Exception {
        ProducerRecord<String, byte[]> record = CloudEventCodec.command("t", CommandType.BACKUP, INSTANCE, "c", SOURCE, TIME,
                Examples.command(CommandType.BACKUP));
        DecodedCommand decoded = CloudEventCodec.decodeCommand(withKeyAndHeader(record, "tenant-a/other", h -> {
        }), "default");
        assertThat(decoded.errors()).extracting(FieldError::path).containsExactly("record key");
        assertThat(decoded.payload()).isNull();
        assertThat(decoded.instance()).isEqualTo(INSTANCE);
    }

    @Test
    void anUnknownFieldMakesAnAnswerableInvalidCommand() throws Exception {
        ConsumerRecord<String, byte[]> record = raw(validHeaders("io.pgfleet.command.backup.v1"), "tenant-a/pg",
                "{\"instance\":\"pg\",\"namespace\":\"tenant-a\",\"dryRun\":true}");
        DecodedCommand decoded = CloudEventCodec.decodeCommand(record, "default");
        assertThat(decoded.errors()).containsExactly(new FieldError("dryRun", "unknown field; the fields here are [instance, namespace]"));
        assertThat(decoded.instance()).isEqualTo(new InstanceKey("tenant-a", "pg"));
    }

    static Stream<Arguments> badRecords() {
        String backup = "{\"instance\":\"pg\"}";
        String type = "io.pgfleet.command.backup.v1";
        return Stream.of(
                Arguments.of("missing ce_id", without(validHeaders(type), "ce_id"), backup, "missing header ce_id"),
                Arguments.of("missing ce_type", without(validHeaders(type), "ce_type"), backup, "missing header ce_type"),
                Arguments.of("missing ce_source", without(validHeaders(type), "ce_source"), backup, "missing header ce_source"),
                Arguments.of("missing ce_specversion", without(validHeaders(type), "ce_specversion"), backup, "missing header ce_specversion"),
                Arguments.of("spec version 0.3", with(validHeaders(type), "ce_specversion", "0.3"), backup, "'0.3' is not supported"),
                Arguments.of("unknown type", validHeaders("io.pgfleet.command.resize.v1"), backup, "is not a pgfleet command type"),
                Arguments.of("future version", validHeaders("io.pgfleet.command.backup.v2"), backup, "is not a pgfleet command type"),
                Arguments.of("not JSON", validHeaders(type), "instance=pg", "not valid JSON"),
                Arguments.of("truncated JSON", validHeaders(type), "{\"instance\":", "not valid JSON"),
                Arguments.of("no value", validHeaders(type), null, "has no value"),
                Arguments.of("bad time", with(validHeaders(type), "ce_time", "yesterday"), backup, "not an RFC 3339 timestamp"),
                Arguments.of("XML content", with(validHeaders(type), "content-type", "application/xml"), backup, "is not application/json"),
                Arguments.of("bad source", with(validHeaders(type), "ce_source", "not a uri"), backup, "is not a URI reference"),
                // what a publisher writes into a header never starts a log line or an event line of its own
                Arguments.of("a newline in ce_type", validHeaders("io.pgfleet.command.backup.v1\n12:00:00 INFO all good"), backup,
                        "ce_type 'io.pgfleet.command.backup.v1\\u000a12:00:00 INFO all good' is not a pgfleet command type"),
                Arguments.of("a newline in ce_id", with(validHeaders(type), "ce_id", "c-1\nforged"), backup,
                        "ce_id 'c-1\\u000aforged' is not a command id"),
                Arguments.of("a right-to-left override in ce_id", with(validHeaders(type), "ce_id", "c-1\u202Egpj.exe"), backup,
                        "ce_id 'c-1\\u202egpj.exe' is not a command id"),
                Arguments.of("a ce_id of 300 characters", with(validHeaders(type), "ce_id", "c".repeat(300)), backup, "at most 200 characters"),
                Arguments.of("a long bad ce_time", with(validHeaders(type), "ce_time", "y".repeat(500)), backup, "y".repeat(120) + "…'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void aRecordThatIsNotOneOfOurCloudEventsIsABadRecord(String what, Headers headers, String value, String error) {
        assertThatThrownBy(() -> CloudEventCodec.decodeCommand(raw(headers, "tenant-a/pg", value), "default"))
                .isInstanceOf(BadRecordException.class)
                .hasMessageContaining(error);
    }

    @Test
    void aRecordNamingNoInstanceAnywhereIsABadRecord() {
        Headers headers = without(validHeaders("io.pgfleet.command.backup.v1"), "ce_subject");
        assertThatThrownBy(() -> CloudEventCodec.decodeCommand(raw(headers, null, "{\"instanc\":\"pg\"}"), "default"))
                .isInstanceOf(BadRecordException.class)
                .hasMessageContaining("names no instance");
    }

    private static Headers validHeaders(String type) {
        RecordHeaders headers = new RecordHeaders();
        with(headers, "ce_id", "id-1");
        with(headers, "ce_source", "/test");
        with(headers, "ce_type", type);
        with(headers, "ce_specversion", "1.0");
        with(headers, "ce_subject", "tenant-a/pg");
        return headers;
    }

    private static Headers with(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private static Headers without(Headers headers, String name) {
        headers.remove(name);
        return headers;
    }

    private static ConsumerRecord<String, byte[]> raw(Headers headers, String key, String value) {
        return new ConsumerRecord<>("t", 0, 0L, 0L, TimestampType.CREATE_TIME, -1, -1, key,
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, java.util.Optional.empty());
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> record) {
        return raw(record.headers(), record.key(), new String(record.value(), StandardCharsets.UTF_8));
    }

    private static ConsumerRecord<String, byte[]> withKeyAndHeader(ProducerRecord<String, byte[]> record, String key,
                                                                  Consumer<Headers> change) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        change.accept(headers);
        return raw(headers, key, new String(record.value(), StandardCharsets.UTF_8));
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
