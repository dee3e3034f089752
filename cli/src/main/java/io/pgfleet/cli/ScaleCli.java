package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.postgres.Quorum;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "scale", mixinStandardHelpOptions = true, description = "Change an instance's replicas, volume size or synchronous quorum.")
final class ScaleCli extends Publishing implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = "--replicas", description = "Number of members.")
    Integer replicas;

    @Option(names = "--size", description = "Volume size (grows only), e.g. 20Gi.")
    String size;

    @Option(names = "--min-sync", description = "quorum.minSyncReplicas (with --max-sync).")
    Integer minSync;

    @Option(names = "--max-sync", description = "quorum.maxSyncReplicas (with --min-sync).")
    Integer maxSync;

    @Override
    public Integer call() {
        Quorum quorum = minSync == null && maxSync == null ? null : new Quorum(minSync, maxSync);
        var key = kafka.instance(name);
        return publish(CommandType.SCALE, key, new ScaleCommand(key.name(), key.namespace(), replicas, size, quorum));
    }
}
