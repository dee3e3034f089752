package io.pgfleet.testkit;

import io.pgfleet.servers.KafkaBroker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
class KafkaBrokerIT {

    @Test
    void aRecordMakesTheRoundTripWithItsKeyAndHeaders(KafkaBroker kafka) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("testkit.round-trip", "ns/name", "hello".getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_id", "42".getBytes(StandardCharsets.UTF_8));
        KafkaRecords.send(kafka, List.of(record));

        List<ConsumerRecord<String, byte[]>> received = KafkaRecords.readAll(kafka, "testkit.round-trip", 1);

        assertThat(received).hasSize(1);
        assertThat(received.get(0).key()).isEqualTo("ns/name");
        assertThat(new String(received.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(new String(received.get(0).headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8)).isEqualTo("42");
    }

    @Test
    void theJvmSharesOneBroker(KafkaBroker first) {
        assertThat(SharedKafka.get()).isSameAs(first);
        assertThat(first.bootstrapServers()).startsWith("127.0.0.1:");
    }
}
