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
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
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

    /** The broker's own principal in a secured broker: a super user (inter-broker and controller traffic, ACL administration). */
    public static final String ADMIN = "admin";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final boolean temporary;
    private final Map<String, String> users;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir, boolean temporary, Map<String, String> users) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.users = users;
    }

    /**
     * Starts a broker that authenticates every client (SASL/PLAIN, these users and their passwords, plus {@link #ADMIN}) and
     * authorizes it with Kafka's ACL authorizer ({@code StandardAuthorizer}; nothing is allowed without an ACL, except to
     * {@link #ADMIN}), on free ports with its data in a temporary directory.
     */
    public static EmbeddedKafkaBroker startSecured(Map<String, String> users) {
        try {
            Map<String, String> all = new TreeMap<>(users);
            all.put(ADMIN, UUID.randomUUID().toString());
            return start(Files.createTempDirectory("pgfleet-kafka-"), Ports.free(), Ports.free(), true, all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        return start(dataDir, port, controllerPort, temporary, Map.of());
    }

    private static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort, boolean temporary, Map<String, String> users) {
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
        if (!users.isEmpty()) {
            secure(config, port, controllerPort, users);
        }
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
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, dataDir, temporary, Map.copyOf(users));
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** SASL/PLAIN on both listeners (the broker is {@link #ADMIN} to itself) and the KRaft ACL authorizer. */
    private static void secure(Properties config, int port, int controllerPort, Map<String, String> users) {
        config.put("listeners", "SASL_PLAINTEXT://" + Ports.LOOPBACK + ":" + port + ",CONTROLLER://" + Ports.LOOPBACK + ":" + controllerPort);
        config.put("advertised.listeners", "SASL_PLAINTEXT://" + Ports.LOOPBACK + ":" + port);
        config.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        config.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        config.put("sasl.enabled.mechanisms", "PLAIN");
        config.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        config.put("sasl.mechanism.controller.protocol", "PLAIN");
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                + "\" password=\"" + users.get(ADMIN) + "\"");
        users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
        jaas.append(';');
        config.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.toString());
        config.put("listener.name.controller.plain.sasl.jaas.config", jaas.toString());
        config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        config.put("super.users", "User:" + ADMIN);
        config.put("allow.everyone.if.no.acl.found", "false");
    }

    /** Client properties that authenticate as {@code user} (a secured broker; the default ones are {@link #ADMIN}'s). */
    public Properties clientProperties(String user) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        if (!users.isEmpty()) {
            if (!users.containsKey(user)) {
                throw new IllegalArgumentException("the broker has no user " + user);
            }
            properties.put("security.protocol", "SASL_PLAINTEXT");
            properties.put("sasl.mechanism", "PLAIN");
            properties.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                    + "\" password=\"" + users.get(user) + "\";");
        }
        return properties;
    }

    @Override
    public Properties clientProperties() {
        return clientProperties(ADMIN);
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
