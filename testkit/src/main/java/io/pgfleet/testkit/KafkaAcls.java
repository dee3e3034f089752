package io.pgfleet.testkit;

import io.pgfleet.servers.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Exit;

/**
 * Grants ACLs with Kafka's own {@code kafka-acls} tool ({@code kafka.admin.AclCommand}), run in this JVM with the
 * arguments an operator types, authenticated as the broker's admin: what the README tells operators is what the
 * tests grant.
 */
public final class KafkaAcls {

    private KafkaAcls() {
    }

    /** Runs {@code kafka-acls --bootstrap-server <broker> --command-config <admin> <args>}; fails when the tool does. */
    public static void run(EmbeddedKafkaBroker broker, String commandLine) {
        Path config;
        try {
            config = Files.createTempFile("kafka-acls-", ".properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                broker.clientProperties().store(out, "admin");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers(), "--command-config", config.toString()));
        args.addAll(List.of(commandLine.trim().split("\\s+")));
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("kafka-acls " + commandLine + " exited with " + code + (message == null ? "" : ": " + message));
        });
        try {
            kafka.admin.AclCommand.main(args.toArray(String[]::new));
        } finally {
            Exit.resetExitProcedure();
            try {
                Files.deleteIfExists(config);
            } catch (IOException e) {
                // a temporary file
            }
        }
    }
}
