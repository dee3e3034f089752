package io.pgfleet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs the local stack until interrupted. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the local stack on 127.0.0.1 (Kafka, PostgreSQL for state, S3, the three services) and keep it running; "
                + "Ctrl-C stops everything. Data stays in the data directory: starting again resumes.")
final class UpCli implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = "${env:PGFLEET_DATA_DIR:-${sys:pgfleet.default-data-dir:-${sys:user.home}/.pgfleet}}",
            description = "Where everything keeps its data (default: $PGFLEET_DATA_DIR, else ~/.pgfleet, or /var/lib/pgfleet as root).")
    Path dataDir;

    @Option(names = "--base-port", defaultValue = "9092",
            description = "Kafka listens here; its controller, state PostgreSQL, S3, provisioner, user-manager, backup-worker and S3 over "
                    + "HTTPS on the next seven ports (default ${DEFAULT-VALUE}: Kafka 9092 ... backup-worker 9098, S3 HTTPS 9099).")
    int basePort;

    @Option(names = "--start-timeout", defaultValue = "3m", converter = DurationConverter.class,
            description = "How long the services may take to start (default ${DEFAULT-VALUE}).")
    Duration startTimeout;

    @Option(names = "--secure", description = "Kafka only over SASL_SSL (TLS, then SCRAM-SHA-512): the services and the CLI "
            + "authenticate; the CLI's settings are printed as PGFLEET_KAFKA_CONFIG.")
    boolean secure;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LocalStack stack = start(spec, dataDir, basePort, startTimeout, secure);
        out.println("pgfleet is up. Ctrl-C stops it.");
        out.flush();
        blockUntilStopped(stack);
        return 0;
    }

    static LocalStack start(CommandSpec spec, Path dataDir, int basePort, Duration startTimeout) throws Exception {
        return start(spec, dataDir, basePort, startTimeout, false);
    }

    static LocalStack start(CommandSpec spec, Path dataDir, int basePort, Duration startTimeout, boolean secure) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LocalStack stack = new LocalStack(Home.get(), dataDir.toAbsolutePath(), LocalStack.Ports.from(basePort), out);
        if (secure) {
            stack.secure();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping...");
            out.flush();
            stack.close();
            out.println("stopped");
            out.flush();
            stopped.countDown();
        }, "pgfleet-stop"));
        try {
            stack.start(startTimeout);
        } catch (Exception e) {
            stack.close();
            throw e;
        }
        out.println("export PGFLEET_BOOTSTRAP_SERVERS=" + stack.bootstrapServers() + " PGFLEET_PROVISIONER_URL=" + stack.url("provisioner")
                + " PGFLEET_USER_MANAGER_URL=" + stack.url("user-manager") + " PGFLEET_BACKUP_WORKER_URL=" + stack.url("backup-worker")
                + (secure ? " PGFLEET_KAFKA_CONFIG=" + SecureKafka.clientConfig(dataDir.toAbsolutePath()) : ""));
        out.flush();
        return stack;
    }

    /** Until the JVM is told to stop (Ctrl-C, SIGTERM): the shutdown hook stops the stack. */
    static void blockUntilStopped(LocalStack stack) throws InterruptedException {
        new CountDownLatch(1).await();
    }
}
