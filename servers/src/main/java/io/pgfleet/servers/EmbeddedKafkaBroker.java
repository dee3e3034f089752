package io.pgfleet.servers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real Kafka broker in KRaft mode (combined broker and controller, one node) inside this JVM, from
 * the Apache Kafka jars, on loopback. Its storage is formatted with Kafka's own StorageTool. Given a
 * data directory that was formatted before, it starts again with the topics and offsets it had.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final boolean temporary;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir, boolean temporary) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.temporary = temporary;
    }

    /** Starts a broker on free ports with its data in a temporary directory, removed on close. */
    public static EmbeddedKafkaBroker start() {
        try {
            return start(Files.createTempDirectory("pgfleet-kafka-"), Ports.free(), Ports.free(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a broker with its data in {@code dataDir}, formatting it on first use.
     *
     * @param port           the client port
     * @param controllerPort the KRaft controller port
     * @param temporary      remove {@code dataDir} on close
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort, boolean temporary) {
        Properties config = new Properties();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@" + Ports.LOOPBACK + ":" + controllerPort);
        config.put("listeners", "PLAINTEXT://" + Ports.LOOPBACK + ":" + port + ",CONTROLLER://" + Ports.LOOPBACK + ":" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://" + Ports.LOOPBACK + ":" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", dataDir.resolve("log").toString());
        config.put("num.partitions", "3");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "5");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "true");
        try {
            Files.createDirectories(dataDir);
            Path file = dataDir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(file)) {
                config.store(out, "pgfleet embedded broker");
            }
            if (!Files.exists(dataDir.resolve("log").resolve("meta.properties"))) {
                format(file); // once: a kept broker starts again on its own storage and cluster id
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config), Time.SYSTEM);
        server.startup();
        String bootstrap = Ports.LOOPBACK + ":" + port;
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, dataDir, temporary);
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    private static void format(Path configFile) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString(),
                "--ignore-formatted"}, new PrintStream(output, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady() {
        Properties properties = clientProperties();
        properties.put("request.timeout.ms", "5000");
        properties.put("default.api.timeout.ms", "5000");
        try (Admin admin = Admin.create(properties)) {
            Waits.until("the embedded Kafka broker answering on " + bootstrapServers, Duration.ofSeconds(60), () -> {
                try {
                    return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String description() {
        return "embedded KRaft broker (Apache Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion() + ") at " + bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (temporary) {
            io.pgfleet.runtime.local.FileTrees.delete(dataDir);
        }
    }
}
