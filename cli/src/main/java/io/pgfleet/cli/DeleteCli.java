package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.DeleteCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an instance: its members, storage and credentials. Its backups are kept.")
final class DeleteCli extends Publishing implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Override
    public Integer call() {
        var key = kafka.instance(name);
        return publish(CommandType.DELETE, key, new DeleteCommand(key.name(), key.namespace()));
    }
}
