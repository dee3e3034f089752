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
import java.util.List;
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
import io.pgfleet.host.FileTrees;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import org.apache.kafka.common.utils.AppInfoParser;

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
    private final LoopbackTls tls;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir, boolean temporary, Map<String, String> users,
                                LoopbackTls tls) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.users = users;
        this.tls = tls;
    }

    /**
     * Starts a broker that takes clients only over SASL_SSL (TLS, then SCRAM-SHA-512 or PLAIN with these users and
     * {@link #ADMIN}), authorized by Kafka's ACL authorizer, with its data (and TLS material) in {@code dataDir}, formatted on
     * first use with the users' SCRAM credentials. The users and their passwords must be the same at every start.
     */
    public static EmbeddedKafkaBroker startTls(Path dataDir, int port, int controllerPort, boolean temporary, Map<String, String> users,
                                               String adminPassword, Collection<String> superUsers) {
        Map<String, String> all = new TreeMap<>(users);
        all.put(ADMIN, adminPassword);
        LoopbackTls tls = LoopbackTls.in(dataDir.resolve("tls"), adminPassword);
        return start(dataDir, port, controllerPort, temporary, all, tls, superUsers);
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
            return start(Files.createTempDirectory("pgfleet-kafka-"), Ports.free(), Ports.free(), true, all, null, List.of());
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
        return start(dataDir, port, controllerPort, temporary, Map.of(), null, List.of());
    }

    private static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort, boolean temporary, Map<String, String> users,
                                             LoopbackTls tls, Collection<String> superUsers) {
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
            BrokerSecurity.secure(config, port, controllerPort, users);
        }
        if (tls != null) {
            BrokerSecurity.encrypt(config, port, users, tls);
        }
        if (!users.isEmpty()) {
            StringBuilder supers = new StringBuilder("User:" + ADMIN);
            superUsers.forEach(user -> supers.append(";User:").append(user));
            config.put("super.users", supers.toString());
        }
        try {
            Files.createDirectories(dataDir);
            Path file = dataDir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(file)) {
                config.store(out, "pgfleet embedded broker");
            }
            // The broker's config names passwords when it authenticates: its owner only.
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            if (!Files.exists(dataDir.resolve("log").resolve("meta.properties"))) {
                format(file, tls == null ? Map.of() : users); // once: a kept broker starts again on its own storage and cluster id
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config), Time.SYSTEM);
        server.startup();
        String bootstrap = Ports.LOOPBACK + ":" + port;
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, dataDir, temporary, Map.copyOf(users), tls);
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** Client properties that authenticate as {@code user} (a secured broker; the default ones are {@link #ADMIN}'s). */
    public Properties clientProperties(String user) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        if (!users.isEmpty()) {
            if (!users.containsKey(user)) {
                throw new IllegalArgumentException("the broker has no user " + user);
            }
            if (tls == null) {
                properties.put("security.protocol", "SASL_PLAINTEXT");
                properties.put("sasl.mechanism", "PLAIN");
                properties.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                        + "\" password=\"" + users.get(user) + "\";");
            } else {
                properties.put("security.protocol", "SASL_SSL");
                properties.put("sasl.mechanism", "SCRAM-SHA-512");
                properties.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + users.get(user) + "\";");
                properties.put("ssl.truststore.type", "PKCS12");
                properties.put("ssl.truststore.location", tls.truststore().toString());
                properties.put("ssl.truststore.password", tls.password());
            }
        }
        return properties;
    }

    @Override
    public Properties clientProperties() {
        return clientProperties(ADMIN);
    }

    private static void format(Path configFile, Map<String, String> scramUsers) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString(),
                "--ignore-formatted"));
        scramUsers.forEach((user, password) -> args.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=" + user + ",password=" + password + "]")));
        int code = StorageTool.execute(args.toArray(String[]::new), new PrintStream(output, true, StandardCharsets.UTF_8));
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
        return "embedded KRaft broker (Apache Kafka " + AppInfoParser.getVersion() + ") at " + bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (temporary) {
            FileTrees.delete(dataDir);
        }
    }
}
