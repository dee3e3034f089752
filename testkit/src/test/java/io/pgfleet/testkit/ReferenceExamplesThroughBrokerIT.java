package io.pgfleet.testkit;

import io.pgfleet.servers.KafkaBroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.envelope.CloudEventCodec;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.Parsed;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.validation.CommandValidator;
import io.pgfleet.events.validation.ValidationPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every example of the reference, and every snippet of its users, databases and backup sections
 * made into a document, parses, validates and travels through a real broker as a provision command.
 */
@ExtendWith(RealServers.class)
class ReferenceExamplesThroughBrokerIT {

    private static final String TOPIC = "testkit.command.provision";
    private static final CommandValidator VALIDATOR = new CommandValidator(ValidationPolicy.defaults());

    @Test
    void everyReferenceExampleTravelsAsAProvisionCommand(KafkaBroker kafka) throws Exception {
        List<Postgres> documents = new ArrayList<>();
        for (ReferenceExamples.Block block : ReferenceExamples.documents()) {
            documents.add(parsedAndValid(block.text()));
        }
        int n = 0;
        for (ReferenceExamples.Block block : ReferenceExamples.sections()) {
            if (!block.heading().equals("Structure des bases de données")) { // a template with placeholder extensions
                documents.add(parsedAndValid(ReferenceExamples.asDocument(block, "section-" + ++n)));
            }
        }
        assertThat(documents).hasSize(9);

        Instant time = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Map<String, Postgres> sent = new HashMap<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (Postgres doc : documents) {
            String id = UUID.randomUUID().toString();
            sent.put(id, doc);
            records.add(CloudEventCodec.command(TOPIC, CommandType.PROVISION, new InstanceKey("tenant-a", doc.metadata().name()), id,
                    URI.create("/pgfleet/testkit"), time, doc));
        }
        KafkaRecords.send(kafka, records);

        List<ConsumerRecord<String, byte[]>> received = KafkaRecords.readAll(kafka, TOPIC, documents.size());
        assertThat(received).hasSize(documents.size());
        for (ConsumerRecord<String, byte[]> record : received) {
            String id = header(record, "ce_id");
            Postgres doc = sent.get(id);
            assertThat(doc).as("a record with an id we sent").isNotNull();
            assertThat(record.key()).isEqualTo("tenant-a/" + doc.metadata().name());
            assertThat(header(record, "ce_type")).isEqualTo("io.pgfleet.command.provision.v1");
            assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
            assertThat(header(record, "ce_source")).isEqualTo("/pgfleet/testkit");
            assertThat(header(record, "ce_subject")).isEqualTo(record.key());
            assertThat(header(record, "ce_dataschema")).isEqualTo("https://pgfleet.io/schemas/v1/provision.schema.json");
            assertThat(Instant.parse(header(record, "ce_time"))).isEqualTo(time);

            DecodedCommand decoded = CloudEventCodec.decodeCommand(record, "tenant-a");
            assertThat(decoded.errors()).isEmpty();
            assertThat(decoded.payload()).isEqualTo(doc);
            assertThat(VALIDATOR.validate(decoded.payload())).isEmpty();
        }
    }

    private static Postgres parsedAndValid(String yaml) {
        Parsed<Postgres> parsed = PayloadReader.fromText(yaml, Postgres.class);
        assertThat(parsed.errors()).isEmpty();
        assertThat(VALIDATOR.validate(parsed.value())).isEmpty();
        return parsed.value();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
