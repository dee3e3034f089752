package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        assertThat(config.output()).contains("image: apache/kafka:3.9.1", "KAFKA_PROCESS_ROLES: broker,controller", "image: postgres:15.18",
                "image: pgfleet/provisioner:0.1.0-SNAPSHOT", "image: pgfleet/user-manager:0.1.0-SNAPSHOT", "image: pgfleet/backup-worker:0.1.0-SNAPSHOT",
                "KAFKA_BOOTSTRAP_SERVERS: kafka:9092", "PGFLEET_DB_URL: jdbc:postgresql://state-db:5432/pgfleet",
                "network_mode: service:provisioner", "PGFLEET_BACKUP_S3_ENDPOINT_OVERRIDE: http://s3:80");
    }

    @Test
    void everyImageIsPinnedAndEveryServiceIsHealthCheckedRestartedAndStartedOnceWhatItNeedsIsHealthy() throws Exception {
        CommandResult config = ProcessRunner.run(List.of("docker-compose", "-f", HOME.resolve("docker-compose.yml").toString(), "config"),
                Map.of(), HOME, Duration.ofMinutes(1));
        assertThat(config.exitCode()).as(config.output()).isZero();
        JsonNode services = Json.yamlMapper().readTree(config.output()).path("services");
        Matcher version = Pattern.compile("<artifactId>pgfleet-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(HOME.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        List<String> longRunning = new ArrayList<>();
        services.fieldNames().forEachRemaining(name -> {
            if (!name.equals("base")) {
                longRunning.add(name);
            }
        });
        assertThat(longRunning).containsExactlyInAnyOrder("kafka", "state-db", "s3", "provisioner", "user-manager", "backup-worker");
        for (String name : List.of("base", "kafka", "state-db", "s3", "provisioner", "user-manager", "backup-worker")) {
            String image = services.path(name).path("image").asText();
            assertThat(image).as(name + "'s image").matches("[^:]+:[A-Za-z0-9._-]+").doesNotEndWith(":latest");
            if (image.startsWith("pgfleet/")) {
                assertThat(image).as("pgfleet's images carry the project's version").endsWith(":" + version.group(1));
            }
        }
        for (String name : longRunning) {
            JsonNode service = services.path(name);
            assertThat(service.path("healthcheck").path("test").isMissingNode()).as(name + " has a healthcheck").isFalse();
            assertThat(service.path("restart").asText()).as(name).isEqualTo("unless-stopped");
            service.path("depends_on").forEach(dependency -> assertThat(dependency.path("condition").asText()).as(name + " waits for")
                    .isEqualTo("service_healthy"));
        }
        assertThat(services.path("provisioner").path("depends_on").has("kafka")).isTrue();
        assertThat(services.path("backup-worker").path("depends_on").has("s3")).isTrue();
        // pgBackRest in the image the services run on: WAL archiving needs it.
        assertThat(Files.readString(HOME.resolve("docker/base/Dockerfile"))).contains(" pgbackrest ");
    }
}
