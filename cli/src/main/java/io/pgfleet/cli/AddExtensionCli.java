package io.pgfleet.cli;

import io.pgfleet.events.command.AddExtensionCommand;
import io.pgfleet.events.command.CommandType;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "add-extension", mixinStandardHelpOptions = true, description = "Create an extension (from the allowlist) in a database.")
final class AddExtensionCli extends Publishing implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = {"-d", "--database"}, required = true, description = "The database.")
    String database;

    @Option(names = {"-e", "--extension"}, required = true, description = "The extension, e.g. pg_trgm.")
    String extension;

    @Override
    public Integer call() {
        var key = kafka.instance(name);
        return publish(CommandType.ADD_EXTENSION, key, new AddExtensionCommand(key.name(), key.namespace(), database, extension));
    }
}
