package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;

/** Creates one extension in one database of a running instance. */
@Doc("Creates an extension (from the allowlist) in one database.")
public record AddExtensionCommand(
        @Doc(value = "Instance name.", required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE) String instance,
        @Doc(value = "Namespace; the configured default when absent.", pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE) String namespace,
        @Doc(value = "Database the extension is created in.", required = true, pattern = NameRules.DATABASE,
                maxLength = NameRules.MAX_DATABASE) String database,
        @Doc(value = "Extension name, from the allowlist.", required = true) String extension) implements InstanceCommand {
}
