package io.pgfleet.cli;

import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.CommandType;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "backup", mixinStandardHelpOptions = true, description = "Take a backup of an instance now.")
final class BackupCli extends Publishing implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Override
    public Integer call() {
        var key = kafka.instance(name);
        return publish(CommandType.BACKUP, key, new BackupCommand(key.name(), key.namespace()));
    }
}
