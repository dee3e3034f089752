package io.pgfleet.cli;

import static org.awaitility.Awaitility.await;

import io.pgfleet.servers.EmbeddedKafkaBroker;
import io.pgfleet.servers.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The local stack's Kafka broker as an OS process of its own (a JVM running {@link EmbeddedKafkaBroker} on the stack's
 * storage), so that a drill can SIGKILL or SIGSTOP it as it does the services; started again on the same storage, it
 * has the topics and offsets it had.
 */
final class BrokerProcess implements KafkaBroker {

    private static final String READY = "pgfleet broker ready";

    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the broker in a JVM of its own (this test JVM's class path) and waits until it takes clients. */
    static BrokerProcess start(Path storage, int port, int controllerPort) {
        try {
            Files.createDirectories(storage);
            Path log = storage.resolveSibling("kafka-broker.log");
            long known = Files.exists(log) ? Files.readAllLines(log).stream().filter(READY::equals).count() : 0;
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-XX:+UseSerialGC", "-cp", classPath, BrokerProcess.class.getName(), storage.toString(), Integer.toString(port),
                    Integer.toString(controllerPort)))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker ended at its start (exit " + process.exitValue() + "); see " + log);
                }
                return Files.readAllLines(log).stream().filter(READY::equals).count() > known;
            });
            return new BrokerProcess(process, "127.0.0.1:" + port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as a crash of the broker's host would; waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String description() {
        return "embedded KRaft broker in process " + process.pid() + " at " + bootstrapServers;
    }

    /** SIGTERM (the broker shuts down cleanly), then waits; a broker already gone is left as it is. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The broker's JVM: {@code storage port controllerPort}; runs until SIGTERM. */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), false);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }));
        System.out.println(READY);
        System.out.flush();
        stopped.await();
    }
}
