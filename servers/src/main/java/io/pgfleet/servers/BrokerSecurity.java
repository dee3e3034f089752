package io.pgfleet.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** How the embedded broker authenticates (SASL) and encrypts (TLS): its listeners' settings and its TLS material. */
final class BrokerSecurity {

    private BrokerSecurity() {
    }

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

    /** A keystore with a self-signed certificate for 127.0.0.1 and localhost, and a truststore with that certificate (once). */
    static void makeTls(Tls tls) {
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
    /** SASL/PLAIN on both listeners (the broker is {@link EmbeddedKafkaBroker#ADMIN} to itself) and the KRaft ACL authorizer. */
    static void secure(Properties config, int port, int controllerPort, Map<String, String> users) {
        config.put("listeners", "SASL_PLAINTEXT://" + Ports.LOOPBACK + ":" + port + ",CONTROLLER://" + Ports.LOOPBACK + ":" + controllerPort);
        config.put("advertised.listeners", "SASL_PLAINTEXT://" + Ports.LOOPBACK + ":" + port);
        config.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        config.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        config.put("sasl.enabled.mechanisms", "PLAIN");
        config.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        config.put("sasl.mechanism.controller.protocol", "PLAIN");
        String admin = EmbeddedKafkaBroker.ADMIN;
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + admin
                + "\" password=\"" + users.get(admin) + "\"");
        users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
        jaas.append(';');
        config.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.toString());
        config.put("listener.name.controller.plain.sasl.jaas.config", jaas.toString());
        config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        config.put("super.users", "User:" + EmbeddedKafkaBroker.ADMIN);
        config.put("allow.everyone.if.no.acl.found", "false");
    }

    /**
     * The client listener as SASL_SSL (SCRAM-SHA-512 for clients, PLAIN too; the broker is {@link EmbeddedKafkaBroker#ADMIN} to
     * itself over PLAIN).
     */
    static void encrypt(Properties config, int port, Map<String, String> users, Tls tls) {
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
}
