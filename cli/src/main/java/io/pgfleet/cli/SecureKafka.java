package io.pgfleet.cli;

import io.pgfleet.events.json.Json;
import io.pgfleet.servers.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The local stack's broker with {@code up --secure}: clients only over SASL_SSL (SCRAM-SHA-512), one principal per
 * service and one for the CLI, their passwords made once and kept 0600 in {@code <data-dir>/kafka-secure/}; each service
 * gets its Kafka client settings from a properties file ({@code MICRONAUT_CONFIG_FILES}), the CLI from
 * {@code kafka-client.properties} ({@code PGFLEET_KAFKA_CONFIG}). Only the broker's admin is a super user: each
 * service's principal gets the grants docs/tenancy.md lists for a service (its topics, its consumer group, the cluster's
 * description for its health check) and the CLI's those of the platform's operator (publish commands, read every
 * {@code pgfleet.} topic), made with Kafka's Admin API as the admin ({@link #grant}), so the local stack runs with the
 * rights a deployment gives. A client without credentials, or without TLS, is refused.
 */
final class SecureKafka {

    static final List<String> PRINCIPALS = List.of("provisioner", "user-manager", "backup-worker", "cli");

    private SecureKafka() {
    }

    static Path directory(Path dataDir) {
        return dataDir.resolve("kafka-secure");
    }

    /** Starts (or starts again) the secure broker on the stack's ports. */
    static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort) throws IOException {
        Map<String, String> passwords = passwords(dataDir);
        Map<String, String> users = new TreeMap<>(passwords);
        String admin = users.remove(EmbeddedKafkaBroker.ADMIN);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTls(directory(dataDir).resolve("broker"), port, controllerPort, false, users, admin,
                List.of());
        grant(broker);
        for (String principal : PRINCIPALS) {
            Properties client = broker.clientProperties(principal);
            client.remove("bootstrap.servers");
            if (principal.equals("cli")) {
                write(clientConfig(dataDir), client);
            } else {
                Properties service = new Properties();
                client.forEach((key, value) -> service.put("kafka." + key, value));
                write(serviceConfig(dataDir, principal), service);
            }
        }
        return broker;
    }

    /** The ACLs of the stack's principals (creating one that exists changes nothing, so a restarted stack grants again). */
    static List<AclBinding> acls() {
        List<AclBinding> acls = new ArrayList<>();
        for (String service : List.of("provisioner", "user-manager", "backup-worker")) {
            String principal = "User:" + service;
            for (AclOperation operation : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
                    AclOperation.DESCRIBE_CONFIGS)) {
                acls.add(allow(principal, ResourceType.TOPIC, "pgfleet.", PatternType.PREFIXED, operation));
            }
            acls.add(allow(principal, ResourceType.GROUP, "pgfleet-" + service, PatternType.LITERAL, AclOperation.READ));
            acls.add(allow(principal, ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE));
            acls.add(allow(principal, ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS));
        }
        // the operator's CLI: publishes commands, reads answers, events and the fleet's state (no consumer group)
        for (AclOperation operation : List.of(AclOperation.WRITE, AclOperation.CREATE)) {
            acls.add(allow("User:cli", ResourceType.TOPIC, "pgfleet.", PatternType.PREFIXED, operation));
        }
        for (AclOperation operation : List.of(AclOperation.READ, AclOperation.DESCRIBE)) {
            acls.add(allow("User:cli", ResourceType.TOPIC, "pgfleet.", PatternType.PREFIXED, operation));
        }
        acls.add(allow("User:cli", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE));
        return acls;
    }

    private static AclBinding allow(String principal, ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    /** Makes the principals' ACLs as the broker's admin. */
    static void grant(EmbeddedKafkaBroker broker) {
        Properties admin = broker.clientProperties();
        try (Admin client = Admin.create(admin)) {
            client.createAcls(acls()).all().get(1, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the broker refused the stack's ACLs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while granting the stack's ACLs", e);
        }
    }

    /** The CLI's client properties file (for {@code --kafka-config} / {@code PGFLEET_KAFKA_CONFIG}). */
    static Path clientConfig(Path dataDir) {
        return directory(dataDir).resolve("kafka-client.properties");
    }

    /** A service's Kafka settings (for {@code MICRONAUT_CONFIG_FILES}). */
    static Path serviceConfig(Path dataDir, String service) {
        return directory(dataDir).resolve("kafka-" + service + ".properties");
    }

    private static Map<String, String> passwords(Path dataDir) throws IOException {
        Path file = directory(dataDir).resolve("users.json");
        if (Files.exists(file)) {
            return Json.mapper().readValue(file.toFile(), new TypeReference<TreeMap<String, String>>() {
            });
        }
        Map<String, String> passwords = new TreeMap<>();
        SecureRandom random = new SecureRandom();
        for (String user : new ArrayList<>(List.of(EmbeddedKafkaBroker.ADMIN, "provisioner", "user-manager", "backup-worker", "cli"))) {
            byte[] bytes = new byte[18];
            random.nextBytes(bytes);
            passwords.put(user, HexFormat.of().formatHex(bytes));
        }
        Files.createDirectories(directory(dataDir), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path partial = file.resolveSibling("users.json.new");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(partial, Json.mapper().writeValueAsString(passwords));
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        return passwords;
    }

    private static void write(Path file, Properties properties) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "pgfleet up --secure: Kafka over SASL_SSL");
        }
    }
}
