package io.pgfleet.provisioner.command;

import io.micronaut.configuration.kafka.annotation.Topic;
import io.pgfleet.runtime.command.CommandIntake;
import io.pgfleet.runtime.command.SharedTopicsListener;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The provision, scale, switchover and delete topics' records, to the shared intake ({@link SharedTopicsListener}). */
@SharedTopicsListener
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
