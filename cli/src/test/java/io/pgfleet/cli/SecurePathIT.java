package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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

    private static final Duration SLOW = Duration.ofMinutes(5);

    private final Path home = Path.of(System.getProperty("pgfleet.home")).toAbsolutePath().normalize();
    private Path dataDir;
    private int basePort;
    private Process up;
    private Path upLog;

    private record Result(int code, String output) {
    }

    @BeforeAll
    void start() throws Exception {
        dataDir = Files.createTempDirectory("pgfleet-secure-it-");
        basePort = io.pgfleet.runtime.local.LoopbackPorts.freeBlock(7);
        upLog = Files.createTempFile(dataDir, "up-", ".log");
        ProcessBuilder builder = new ProcessBuilder("setsid", home.resolve("pgfleet").toString(), "up", "--secure", "--data-dir", dataDir.toString(),
                "--base-port", Integer.toString(basePort)).redirectErrorStream(true).redirectOutput(upLog.toFile());
        builder.environment().put("PGFLEET_NO_BUILD", "1");
        up = builder.start();
        await().atMost(SLOW).until(() -> Files.readString(upLog).contains("pgfleet is up") || !up.isAlive());
        assertThat(up.isAlive()).as(Files.readString(upLog)).isTrue();
    }

    @AfterAll
    void stop() throws Exception {
        if (up != null && up.isAlive()) {
            up.destroy();
            assertThat(up.waitFor(2, TimeUnit.MINUTES)).isTrue();
        }
        InstanceProcesses.stop(dataDir.resolve("clusters"));
        try (var files = Files.walk(dataDir)) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private Result pgfleet(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(home.resolve("pgfleet").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("PGFLEET_NO_BUILD", "1");
        env.put("PGFLEET_BOOTSTRAP_SERVERS", "127.0.0.1:" + basePort);
        env.put("PGFLEET_KAFKA_CONFIG", SecureKafka.clientConfig(dataDir).toString());
        env.put("PGFLEET_PROVISIONER_URL", "http://127.0.0.1:" + (basePort + 4));
        env.put("PGFLEET_USER_MANAGER_URL", "http://127.0.0.1:" + (basePort + 5));
        env.put("PGFLEET_BACKUP_WORKER_URL", "http://127.0.0.1:" + (basePort + 6));
        env.put("PGFLEET_DATA_DIR", dataDir.toString());
        env.put("REPORT_PASSWORD", "report-pass-1234");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), output);
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
        assertThat(Files.readString(upLog)).contains("SASL_SSL only", "PGFLEET_KAFKA_CONFIG=" + SecureKafka.clientConfig(dataDir));

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

        Result apply = pgfleet("apply", "-f", home.resolve("examples/postgres-complete.yaml").toString(), "--wait");
        assertThat(apply.code()).as(apply.output()).isZero();
        assertThat(apply.output()).contains("provisioner    SUCCEEDED", "user-manager   SUCCEEDED", "backup-worker  SUCCEEDED");
        Result addUser = pgfleet("add-user", "postgres-complete", "--user", "report", "--password-env", "REPORT_PASSWORD", "--database",
                "myapp=readonly", "--wait");
        assertThat(addUser.code()).as(addUser.output()).isZero();
        Result backup = pgfleet("backup", "postgres-complete", "--wait");
        assertThat(backup.code()).as(backup.output()).isZero();
        Result restore = pgfleet("restore", "postgres-complete", "--database", "myapp", "--wait");
        assertThat(restore.code()).as(restore.output()).isZero();
        assertThat(restore.output()).contains("backup-worker  SUCCEEDED");
        // The settings that hold the principals' passwords are their owner's only.
        for (Path file : List.of(SecureKafka.clientConfig(dataDir), SecureKafka.serviceConfig(dataDir, "provisioner"))) {
            assertThat(Files.readString(file)).contains("SASL_SSL", "SCRAM-SHA-512");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
    }
}
