package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.runtime.local.CommandResult;
import io.pgfleet.runtime.local.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker-compose.yml as docker-compose itself reads it (no engine is needed for {@code config}). */
class ComposeFileTest {

    private static final Path HOME = Path.of(System.getProperty("pgfleet.home", "..")).toAbsolutePath().normalize();

    @Test
    void dockerComposeAcceptsTheFileAndWiresTheServices() {
        CommandResult config;
        try {
            config = ProcessRunner.run(List.of("docker-compose", "-f", HOME.resolve("docker-compose.yml").toString(), "config"), Map.of(),
                    HOME, Duration.ofMinutes(1));
        } catch (RuntimeException e) {
            throw new AssertionError("docker-compose is not installed (Debian: apt-get install --no-install-recommends docker-compose)", e);
        }
        assertThat(config.exitCode()).as(config.output()).isZero();
        assertThat(config.output()).contains("image: apache/kafka:3.9.1", "KAFKA_PROCESS_ROLES: broker,controller", "image: postgres:15",
                "image: pgfleet/provisioner:0.1.0-SNAPSHOT", "image: pgfleet/user-manager:0.1.0-SNAPSHOT", "image: pgfleet/backup-worker:0.1.0-SNAPSHOT",
                "KAFKA_BOOTSTRAP_SERVERS: kafka:9092", "PGFLEET_DB_URL: jdbc:postgresql://state-db:5432/pgfleet",
                "network_mode: service:provisioner", "PGFLEET_BACKUP_S3_ENDPOINT_OVERRIDE: http://s3:80");
    }
}
