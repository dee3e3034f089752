package io.pgfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where the three services answer HTTP, and the namespace of the instance asked about. */
public class ServiceUrls {

    @Option(names = {"-n", "--namespace"}, defaultValue = "${env:PGFLEET_NAMESPACE:-default}", description = "Namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--provisioner-url", defaultValue = "${env:PGFLEET_PROVISIONER_URL:-http://127.0.0.1:9096}",
            description = "The provisioner's HTTP address (default ${DEFAULT-VALUE}).")
    String provisioner;

    @Option(names = "--user-manager-url", defaultValue = "${env:PGFLEET_USER_MANAGER_URL:-http://127.0.0.1:9097}",
            description = "The user-manager's HTTP address (default ${DEFAULT-VALUE}).")
    String userManager;

    @Option(names = "--backup-worker-url", defaultValue = "${env:PGFLEET_BACKUP_WORKER_URL:-http://127.0.0.1:9098}",
            description = "The backup-worker's HTTP address (default ${DEFAULT-VALUE}).")
    String backupWorker;

    /** The instance a name (or namespace/name) stands for. */
    io.pgfleet.events.InstanceKey instance(String name) {
        return io.pgfleet.events.InstanceKey.parse(name, namespace);
    }

    /** The services' path of an instance's view. */
    static String path(io.pgfleet.events.InstanceKey key) {
        return "/instances/" + key.namespace() + "/" + key.name();
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The JSON at {@code base + path}; {@code null} when it is not there (404); an error when the service does not answer. */
    static JsonNode get(String base, String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return null;
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException(base + path + " answered " + response.statusCode());
            }
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("no answer from " + base + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is the service running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
