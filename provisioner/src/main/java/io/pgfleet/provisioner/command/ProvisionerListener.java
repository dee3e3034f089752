package io.pgfleet.provisioner.command;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.context.annotation.Requires;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.pgfleet.runtime.command.CommandIntake;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** In the shared-topic mode, hands provision, scale, switchover and delete records to the shared intake; the offset is committed after each. */
@Requires(property = "pgfleet.tenancy.mode", notEquals = "namespaced")
@KafkaListener(groupId = "${pgfleet.kafka.group-id:pgfleet-provisioner}", offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
        // Read again after an error, never skipped; the intake backs off (capped) before each new attempt.
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = Integer.MAX_VALUE,
                retryDelay = "100ms"))
public class ProvisionerListener {

    private final CommandIntake intake;

    public ProvisionerListener(CommandIntake intake) {
        this.intake = intake;
    }

    @Topic({"${pgfleet.topics.provision:pgfleet.command.provision}", "${pgfleet.topics.scale:pgfleet.command.scale}",
            "${pgfleet.topics.delete:pgfleet.command.delete}", "${pgfleet.topics.switchover:pgfleet.command.switchover}"})
    void receive(ConsumerRecord<String, byte[]> record) {
        intake.receive(record);
    }
}
