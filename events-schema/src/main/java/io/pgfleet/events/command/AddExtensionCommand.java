package io.pgfleet.events.command;

import io.pgfleet.events.Doc;

/** Creates one extension in one database of a running instance. */
@Doc("Creates an extension (from the allowlist) in one database.")
public record AddExtensionCommand(
        @Doc(value = "Instance name.", required = true) String instance,
        @Doc("Namespace; the configured default when absent.") String namespace,
        @Doc(value = "Database the extension is created in.", required = true) String database,
        @Doc(value = "Extension name, from the allowlist.", required = true) String extension) implements InstanceCommand {
}
