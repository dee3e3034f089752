package io.pgfleet.usermanager.command;

import io.micronaut.configuration.kafka.annotation.Topic;
import io.pgfleet.runtime.command.CommandIntake;
import io.pgfleet.runtime.command.SharedTopicsListener;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The provision, add-user and add-extension topics' records, to the shared intake ({@link SharedTopicsListener}). */
@SharedTopicsListener
public class UserManagerListener {

    private final CommandIntake intake;

    public UserManagerListener(CommandIntake intake) {
        this.intake = intake;
    }

    @Topic({"${pgfleet.topics.provision:pgfleet.command.provision}", "${pgfleet.topics.add-user:pgfleet.command.add-user}",
            "${pgfleet.topics.add-extension:pgfleet.command.add-extension}"})
    void receive(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        intake.receiveAll(records, consumer);
    }
}
