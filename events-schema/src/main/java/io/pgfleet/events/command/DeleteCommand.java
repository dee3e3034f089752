package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;

/** Removes an instance: its members, storage and credentials. Its backups are kept. */
@Doc("Deletes an instance; its backups are kept.")
public record DeleteCommand(
        @Doc(value = "Instance name.", required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE) String instance,
        @Doc(value = "Namespace; the configured default when absent.", pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE) String namespace) implements InstanceCommand {
}
