package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.SwitchoverCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "switchover", mixinStandardHelpOptions = true,
        description = "Make a standby the primary (no acknowledged write lost; writes pause while the role moves); the old primary becomes a standby.")
final class SwitchoverCli extends Publishing implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = "--to", description = "The member to promote, e.g. postgres-ha-3 (default: the streaming standby that received the most).")
    String to;

    @Override
    public Integer call() {
        var key = kafka.instance(name);
        return publish(CommandType.SWITCHOVER, key, new SwitchoverCommand(key.name(), key.namespace(), to));
    }
}
