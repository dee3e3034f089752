package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;

/** Takes a backup now, with the instance's stored backup configuration. */
@Doc("Takes an on-demand backup of every database and the roles.")
public record BackupCommand(
        @Doc(value = "Instance name.", required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE) String instance,
        @Doc(value = "Namespace; the configured default when absent.", pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE) String namespace) implements InstanceCommand {
}
