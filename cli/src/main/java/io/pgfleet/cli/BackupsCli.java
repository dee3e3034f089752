package io.pgfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.InstanceKey;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** An instance's backup catalog. */
@Command(name = "backups", mixinStandardHelpOptions = true, description = "List an instance's backups, newest first.")
final class BackupsCli implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = "--all", description = "Also the backups retention has removed.")
    boolean all;

    @Mixin
    ServiceUrls urls;

    @Mixin
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        InstanceKey key = urls.instance(name);
        JsonNode runs = urls.view(urls.backupWorker, ServiceUrls.path(key) + "/backups" + (all ? "?all=true" : ""));
        if (runs == null || urls.view(urls.backupWorker, ServiceUrls.path(key)) == null) {
            spec.commandLine().getErr().println("pgfleet: the backup-worker does not know instance " + key);
            return 1;
        }
        output.print(spec.commandLine().getOut(), FleetView.BACKUPS, FleetView.backups(runs, Instant.now()));
        return 0;
    }
}
