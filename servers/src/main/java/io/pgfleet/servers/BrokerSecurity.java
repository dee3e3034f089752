package io.pgfleet.servers;

import java.util.Map;
import java.util.Properties;

/** How the embedded broker authenticates (SASL) and encrypts (TLS): its listeners' settings and its TLS material. */
final class BrokerSecurity {

    private BrokerSecurity() {
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
    static void encrypt(Properties config, int port, Map<String, String> users, LoopbackTls tls) {
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
