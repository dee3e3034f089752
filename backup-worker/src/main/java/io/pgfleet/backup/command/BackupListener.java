package io.pgfleet.backup.command;

import io.micronaut.configuration.kafka.annotation.Topic;
import io.pgfleet.runtime.command.CommandIntake;
import io.pgfleet.runtime.command.SharedTopicsListener;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The provision, backup, restore and verify topics' records, to the shared intake ({@link SharedTopicsListener}). */
@SharedTopicsListener
public class BackupListener {

    private final CommandIntake intake;

    public BackupListener(CommandIntake intake) {
        this.intake = intake;
    }

    @Topic({"${pgfleet.topics.provision:pgfleet.command.provision}", "${pgfleet.topics.backup:pgfleet.command.backup}",
            "${pgfleet.topics.restore:pgfleet.command.restore}", "${pgfleet.topics.verify:pgfleet.command.verify}"})
    void receive(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        intake.receiveAll(records, consumer);
    }
}
