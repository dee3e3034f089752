package io.pgfleet.runtime.command;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.status.FieldError;
import java.util.List;
import java.util.Set;

/**
 * What a service does with the commands it takes. The intake calls it inside the transaction that
 * records the command id and its status events, so the work it records exists exactly when the
 * command counts as handled. It must not do the work itself (no I/O outside the database): long
 * work continues from the database.
 */
public interface CommandHandler {

    /** The command types this service takes. */
    Set<CommandType> commandTypes();

    /**
     * Rules that depend on the service's own state (a volume may only grow, the instance must
     * exist). Errors make the command {@code REJECTED} and nothing is recorded.
     */
    default List<FieldError> check(DecodedCommand command) {
        return List.of();
    }

    /**
     * Records the work for a valid command.
     *
     * @return the message of the {@code ACCEPTED} event, e.g. "provisioning 3 members"
     */
    String accept(DecodedCommand command);
}
