package io.pgfleet.runtime.command;

import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * In tenant mode, hands the records of every namespace's command topics of this service's types
 * ({@code pgfleet.tenancy.topic-pattern}, set by each service) to the shared intake. Topics of a new namespace
 * are found by Kafka's pattern subscription at the next metadata refresh, without a restart. The services' own listeners
 * take the shared topics instead. {@code pgfleet.tenancy.topic-refresh-ms} (default 10000): how often the subscription
 * looks for new namespaces' topics. {@code pgfleet.kafka.group-id} (default {@code pgfleet-<service>}): the consumer group
 * of a service's listeners; every replica of a service shares it.
 */
@Requires(property = "pgfleet.tenancy.mode", value = "namespaced")
@KafkaListener(groupId = "${pgfleet.kafka.group-id}", offsetReset = OffsetReset.EARLIEST, batch = true, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = Integer.MAX_VALUE, retryDelay = "100ms"),
        pollTimeout = CommandIntake.POLL_TIMEOUT,
        properties = {@Property(name = "metadata.max.age.ms", value = "${pgfleet.tenancy.topic-refresh-ms:10000}"),
                @Property(name = "max.poll.records", value = "${pgfleet.intake.batch:32}"),
                @Property(name = "fetch.max.wait.ms", value = CommandIntake.FETCH_MAX_WAIT_MS)})
public class TenantCommandListener {

    private final CommandIntake intake;

    public TenantCommandListener(CommandIntake intake) {
        this.intake = intake;
    }

    @Topic(patterns = "${pgfleet.tenancy.topic-pattern}")
    void receive(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        intake.receiveAll(records, consumer);
    }
}
