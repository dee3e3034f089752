package io.pgfleet.events.command;

import io.pgfleet.events.Doc;

/** Takes a backup now, with the instance's stored backup configuration. */
@Doc("Takes an on-demand backup of every database and the roles.")
public record BackupCommand(
        @Doc(value = "Instance name.", required = true) String instance,
        @Doc("Namespace; the configured default when absent.") String namespace) implements InstanceCommand {
}
