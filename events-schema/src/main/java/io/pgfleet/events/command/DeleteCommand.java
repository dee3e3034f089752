package io.pgfleet.events.command;

import io.pgfleet.events.Doc;

/** Removes an instance: its members, storage and credentials. Its backups are kept. */
@Doc("Deletes an instance; its backups are kept.")
public record DeleteCommand(
        @Doc(value = "Instance name.", required = true) String instance,
        @Doc("Namespace; the configured default when absent.") String namespace) implements InstanceCommand {
}
