package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import io.pgfleet.events.InstanceKey;

/** The first thing to run: the local stack, and the reference's development example provisioned on it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the local stack, provision the API reference's development example (examples/postgres-dev.yaml) and wait "
                + "until all three services succeeded; then keep running until Ctrl-C.")
final class DemoCli implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = "${env:PGFLEET_DATA_DIR:-${sys:pgfleet.default-data-dir:-${sys:user.home}/.pgfleet}}",
            description = "Where everything keeps its data (default: $PGFLEET_DATA_DIR, else ~/.pgfleet, or /var/lib/pgfleet as root).")
    Path dataDir;

    @Option(names = "--base-port", defaultValue = "9092", description = "First of the seven ports (default ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--exit", description = "Stop the stack once the example is provisioned instead of running on.")
    boolean exit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LocalStack stack = UpCli.start(spec, dataDir, basePort, Duration.ofMinutes(3));
        Path example = Home.get().resolve("examples").resolve("postgres-dev.yaml");
        Postgres doc = PayloadReader.fromText(Files.readString(example), Postgres.class).value();
        Kafka kafka = new Kafka(stack.bootstrapServers(), "pgfleet");
        int outcome;
        try (Kafka.StatusReader reader = kafka.statusReader(false)) {
            var key = new InstanceKey(LocalStack.NAMESPACE, doc.metadata().name());
            String id = kafka.publish(CommandType.PROVISION, key, doc);
            out.println("provision " + key + " published from " + example + ": command " + id);
            out.flush();
            outcome = Outcome.await(reader, id, CommandType.PROVISION, Duration.ofMinutes(10), out);
        }
        if (outcome == Outcome.OK) {
            out.println();
            out.println("postgres-dev is ready. Connect:");
            out.println("  psql \"$(./pgfleet connect postgres-dev --user dev_user --with-password --data-dir " + dataDir + ")\"");
            out.println("Then: ./pgfleet status postgres-dev, ./pgfleet events --instance postgres-dev");
        }
        out.flush();
        if (exit || outcome != Outcome.OK) {
            System.exit(outcome); // the shutdown hook stops the stack
        }
        UpCli.blockUntilStopped(stack);
        return outcome;
    }
}
