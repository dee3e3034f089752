package io.pgfleet.provisioner.command;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.pgfleet.runtime.command.CommandIntake;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * In the shared-topic mode, hands each poll's provision, scale, switchover and delete records to the shared intake (at most
 * {@code pgfleet.intake.batch}, default 32, taken together); the offsets are committed after each poll, where the handled
 * records end.
 */
@Requires(property = "pgfleet.tenancy.mode", notEquals = "namespaced")
@KafkaListener(groupId = "${pgfleet.kafka.group-id:pgfleet-provisioner}", offsetReset = OffsetReset.EARLIEST,
        batch = true, offsetStrategy = OffsetStrategy.SYNC,
        // The intake moves back to a record that must be read again (after its back-off); what escapes it is read again too.
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = Integer.MAX_VALUE,
                retryDelay = "100ms"),
        pollTimeout = CommandIntake.POLL_TIMEOUT,
        properties = {@Property(name = "max.poll.records", value = "${pgfleet.intake.batch:32}"),
                @Property(name = "fetch.max.wait.ms", value = CommandIntake.FETCH_MAX_WAIT_MS)})
public class ProvisionerListener {

    private final CommandIntake intake;

    public ProvisionerListener(CommandIntake intake) {
        this.intake = intake;
    }

    @Topic({"${pgfleet.topics.provision:pgfleet.command.provision}", "${pgfleet.topics.scale:pgfleet.command.scale}",
            "${pgfleet.topics.delete:pgfleet.command.delete}", "${pgfleet.topics.switchover:pgfleet.command.switchover}"})
    void receive(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        intake.receiveAll(records, consumer);
    }
}
