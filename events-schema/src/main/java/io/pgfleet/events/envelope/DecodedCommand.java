package io.pgfleet.events.envelope;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.status.FieldError;
import java.util.List;

/**
 * A command record read from Kafka. When {@code errors} is not empty the command is answerable but
 * invalid (unknown field, wrong type, key and payload naming different instances): it is rejected.
 *
 * @param attributes the CloudEvents attributes
 * @param type       which command
 * @param instance   the instance it acts on (from the payload, else from the key)
 * @param payload    the payload record ({@link CommandType#payloadType()}), {@code null} when errors
 * @param errors     structural and envelope errors, with paths
 */
public record DecodedCommand(CloudEventAttributes attributes, CommandType type, InstanceKey instance, Object payload,
                             List<FieldError> errors) {

    public DecodedCommand {
        errors = List.copyOf(errors);
    }

    /** The command id (the CloudEvents id). */
    public String commandId() {
        return attributes.id();
    }
}
