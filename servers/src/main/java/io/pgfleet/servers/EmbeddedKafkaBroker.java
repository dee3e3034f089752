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
    private final Tls tls;

    /**
     * The broker's TLS: a PKCS#12 keystore with its certificate (SAN 127.0.0.1, localhost) and a truststore clients verify
     * it with, made once in {@code directory} with the JDK's keytool.
     */
    public record Tls(Path directory, String password) {

        public Path keystore() {
            return directory.resolve("broker.p12");
        }

        public Path truststore() {
            return directory.resolve("truststore.p12");
        }
    }

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir, boolean temporary, Map<String, String> users,
                                Tls tls) {
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
                                               String adminPassword, java.util.Collection<String> superUsers) {
        Map<String, String> all = new TreeMap<>(users);
        all.put(ADMIN, adminPassword);
        Tls tls = new Tls(dataDir.resolve("tls"), adminPassword);
        makeTls(tls);
        return start(dataDir, port, controllerPort, temporary, all, tls, superUsers);
    }

    /** A keystore with a self-signed certificate for 127.0.0.1 and localhost, and a truststore with that certificate (once). */
    private static void makeTls(Tls tls) {
        if (Files.exists(tls.truststore())) {
            return;
        }
        try {
            Files.createDirectories(tls.directory());
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Path cert = tls.directory().resolve("broker.crt");
            Files.deleteIfExists(tls.keystore());
            run(List.of(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                    "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "825", "-storetype", "PKCS12", "-keystore", tls.keystore().toString(),
                    "-storepass", tls.password(), "-keypass", tls.password()));
            run(List.of(keytool, "-exportcert", "-rfc", "-alias", "broker", "-file", cert.toString(), "-keystore", tls.keystore().toString(),
                    "-storepass", tls.password()));
            Path partial = tls.directory().resolve("truststore.p12.new");
            Files.deleteIfExists(partial);
            run(List.of(keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-storetype", "PKCS12",
                    "-keystore", partial.toString(), "-storepass", tls.password()));
            Files.move(partial, tls.truststore(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(List<String> argv) throws IOException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the broker's TLS material", e);
        }
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
                                             Tls tls, java.util.Collection<String> superUsers) {
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
        if (tls != null) {
            encrypt(config, port, users, tls);
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
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
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

    /** The client listener as SASL_SSL (SCRAM-SHA-512 for clients, PLAIN too; the broker is {@link #ADMIN} to itself over PLAIN). */
    private static void encrypt(Properties config, int port, Map<String, String> users, Tls tls) {
        config.put("listeners", "SASL_SSL://" + Ports.LOOPBACK + ":" + port + "," + config.getProperty("listeners").split(",")[1]);
        config.put("advertised.listeners", "SASL_SSL://" + Ports.LOOPBACK + ":" + port);
        config.put("inter.broker.listener.name", "SASL_SSL");
        config.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
        config.put("sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
        config.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
        config.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        config.put("listener.name.sasl_ssl.plain.sasl.jaas.config", config.remove("listener.name.sasl_plaintext.plain.sasl.jaas.config"));
        config.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        config.put("ssl.keystore.type", "PKCS12");
        config.put("ssl.keystore.location", tls.keystore().toString());
        config.put("ssl.keystore.password", tls.password());
        config.put("ssl.key.password", tls.password());
        config.put("ssl.truststore.type", "PKCS12");
        config.put("ssl.truststore.location", tls.truststore().toString());
        config.put("ssl.truststore.password", tls.password());
    }

    private static void format(Path configFile, Map<String, String> scramUsers) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString(),
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
