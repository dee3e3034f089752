package io.pgfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Every instance at a glance. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = "List every instance: phase, members ready/desired, primary, last backup and its age; from the services' views, "
                + "or from the fleet-state topic.")
final class ListCli implements Callable<Integer> {

    @Mixin
    ServiceViews urls;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--from-topic", description = "Read the fleet-state topic (pgfleet.instances) instead of the services' views; "
            + "the default when no provisioner URL is given (--provisioner-url, $PGFLEET_PROVISIONER_URL).")
    boolean fromTopic;

    @Mixin
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (fromTopic || !ServiceViews.given(spec)) {
            output.print(spec.commandLine().getOut(), FleetView.INSTANCES, FleetView.instancesFromFleet(kafka.kafka().fleet(), Instant.now()));
            return 0;
        }
        JsonNode instances = urls.view(urls.provisioner, "/instances");
        JsonNode backups = urls.view(urls.backupWorker, "/instances");
        output.print(spec.commandLine().getOut(), FleetView.INSTANCES, FleetView.instances(instances,
                backups == null ? JsonNodeFactory.instance.arrayNode() : backups, Instant.now()));
        return 0;
    }
}
