package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code pgfleet up --secure}: the broker takes clients only over SASL_SSL; the services and the CLI (with the printed
 * PGFLEET_KAFKA_CONFIG) carry a provision, an add-user, a backup and a restore through it, while a client without
 * credentials is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurePathIT {

    private UpProcess stack;
    private Path dataDir;
    private int basePort;
    private Path home;

    @BeforeAll
    void start() throws Exception {
        stack = new UpProcess("pgfleet-secure-it-", List.of("--secure"), Map.of("REPORT_PASSWORD", "report-pass-1234"));
        dataDir = stack.dataDir;
        basePort = stack.basePort;
        home = stack.home;
        stack.start();
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
    }

    /** A command of the CLI, with the client settings {@code up --secure} printed. */
    private UpProcess.Result pgfleet(String... args) throws Exception {
        List<String> withConfig = new ArrayList<>(List.of(args));
        withConfig.addAll(List.of("--kafka-config", SecureKafka.clientConfig(dataDir).toString()));
        return stack.pgfleet(withConfig.toArray(String[]::new));
    }

    private KafkaProducer<String, byte[]> producer(Properties properties) {
        properties.put("bootstrap.servers", "127.0.0.1:" + basePort);
        properties.put("max.block.ms", "8000");
        properties.put("delivery.timeout.ms", "8000");
        properties.put("request.timeout.ms", "4000");
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    @Test
    void provisionAddUserBackupAndRestoreGoThroughSaslSslAndAClientWithoutCredentialsIsRefused() throws Exception {
        assertThat(Files.readString(stack.upLog)).contains("SASL_SSL only", "PGFLEET_KAFKA_CONFIG=" + SecureKafka.clientConfig(dataDir));

        // Without TLS and credentials, and with TLS but a wrong password: refused.
        try (KafkaProducer<String, byte[]> plain = producer(new Properties())) {
            assertThatThrownBy(() -> plain.send(new ProducerRecord<>("pgfleet.command.provision", "x", new byte[0])).get(10, TimeUnit.SECONDS))
                    .isNotNull();
        }
        Properties wrong = new Properties();
        try (Reader in = Files.newBufferedReader(SecureKafka.clientConfig(dataDir))) {
            wrong.load(in);
        }
        wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cli\" password=\"not-it\";");
        try (KafkaProducer<String, byte[]> impostor = producer(wrong)) {
            assertThatThrownBy(() -> impostor.send(new ProducerRecord<>("pgfleet.command.provision", "x", new byte[0])).get(10, TimeUnit.SECONDS))
                    .hasStackTraceContaining("Authentication failed");
        }

        UpProcess.Result apply = pgfleet("apply", "-f", home.resolve("examples/postgres-complete.yaml").toString(), "--wait");
        assertThat(apply.code()).as(apply.output()).isZero();
        assertThat(apply.output()).contains("provisioner    SUCCEEDED", "user-manager   SUCCEEDED", "backup-worker  SUCCEEDED");
        UpProcess.Result addUser = pgfleet("add-user", "postgres-complete", "--user", "report", "--password-env", "REPORT_PASSWORD", "--database",
                "myapp=readonly", "--wait");
        assertThat(addUser.code()).as(addUser.output()).isZero();
        UpProcess.Result backup = pgfleet("backup", "postgres-complete", "--wait");
        assertThat(backup.code()).as(backup.output()).isZero();
        UpProcess.Result restore = pgfleet("restore", "postgres-complete", "--database", "myapp", "--wait");
        assertThat(restore.code()).as(restore.output()).isZero();
        assertThat(restore.output()).contains("backup-worker  SUCCEEDED");
        // The stack's principals hold the grants a deployment gives, not a super user's: the CLI may neither grant ACLs
        // nor write outside pgfleet's topics.
        Properties cli = new Properties();
        try (Reader in = Files.newBufferedReader(SecureKafka.clientConfig(dataDir))) {
            cli.load(in);
        }
        cli.put("bootstrap.servers", "127.0.0.1:" + basePort);
        try (Admin admin = Admin.create(cli)) {
            assertThatThrownBy(() -> admin.createAcls(List.of(new AclBinding(
                    new ResourcePattern(ResourceType.TOPIC, "*",
                            PatternType.LITERAL),
                    new AccessControlEntry("User:cli", "*", AclOperation.ALL,
                            AclPermissionType.ALLOW)))).all().get(10, TimeUnit.SECONDS))
                    .hasStackTraceContaining("ClusterAuthorizationException");
        }
        try (KafkaProducer<String, byte[]> outside = producer(cli)) {
            assertThatThrownBy(() -> outside.send(new ProducerRecord<>("elsewhere", "x", new byte[0])).get(10, TimeUnit.SECONDS))
                    .hasStackTraceContaining("TopicAuthorizationException");
        }
        // The settings that hold the principals' passwords are their owner's only.
        for (Path file : List.of(SecureKafka.clientConfig(dataDir), SecureKafka.serviceConfig(dataDir, "provisioner"))) {
            assertThat(Files.readString(file)).contains("SASL_SSL", "SCRAM-SHA-512");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
    }
}
