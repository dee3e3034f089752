package io.pgfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the three services answer HTTP, and the bearer token for their views. */
public class ServiceViews {


    @Option(names = "--provisioner-url", defaultValue = "${env:PGFLEET_PROVISIONER_URL:-http://127.0.0.1:9096}",
            description = "The provisioner's HTTP address (default ${DEFAULT-VALUE}).")
    String provisioner;

    @Option(names = "--user-manager-url", defaultValue = "${env:PGFLEET_USER_MANAGER_URL:-http://127.0.0.1:9097}",
            description = "The user-manager's HTTP address (default ${DEFAULT-VALUE}).")
    String userManager;

    @Option(names = "--backup-worker-url", defaultValue = "${env:PGFLEET_BACKUP_WORKER_URL:-http://127.0.0.1:9098}",
            description = "The backup-worker's HTTP address (default ${DEFAULT-VALUE}).")
    String backupWorker;

    @Option(names = "--token", defaultValue = "${env:PGFLEET_TOKEN:-}",
            description = "Bearer token for the services' views (default: $PGFLEET_TOKEN, else the local stack's token file "
                    + "<data-dir>/http-token).")
    String token;

    /** The token sent with every request: the option, else the local stack's file in the default data directory. */
    String token() {
        if (token != null && !token.isBlank()) {
            return token.strip();
        }
        String dataDir = System.getenv().getOrDefault("PGFLEET_DATA_DIR",
                System.getProperty("pgfleet.default-data-dir", System.getProperty("user.home") + "/.pgfleet"));
        Path file = Path.of(dataDir, LocalSecrets.HTTP_TOKEN);
        try {
            return Files.exists(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the services' views are to be read: a provisioner URL given (the option or {@code $PGFLEET_PROVISIONER_URL});
     * else the fleet-state topic says what they would.
     */
    static boolean given(CommandSpec spec) {
        return spec.commandLine().getParseResult().hasMatchedOption("--provisioner-url") || System.getenv("PGFLEET_PROVISIONER_URL") != null;
    }

    /** The JSON of a view of this service ({@code base + path}) read with {@link #token()}; {@code null} when it is not there. */
    JsonNode view(String base, String path) {
        return get(base, path, token());
    }



    /**
     * Whether what a service at {@code url} answers reaches this CLI untampered: over https, or over plain http from this
     * machine (127.0.0.0/8, ::1, localhost), where no network lies between.
     */
    static boolean untampered(String url) {
        URI uri = URI.create(url);
        return "https".equalsIgnoreCase(uri.getScheme()) || loopback(uri.getHost());
    }

    /** Whether {@code host} is this machine. */
    static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return bare.equalsIgnoreCase("localhost") || bare.matches("127(\\.[0-9]{1,3}){3}") || bare.equals("::1");
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * The JSON at {@code base + path}, asked with the bearer {@code token} ({@code null}: none); {@code null} when it is not
     * there (404); an error when the service does not answer or refuses the token.
     */
    static JsonNode get(String base, String path, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return null;
            }
            if (response.statusCode() == 401) {
                throw new IllegalStateException(base + path + " answered 401: the views need a bearer token (--token, $PGFLEET_TOKEN, "
                        + "or the local stack's <data-dir>/http-token)");
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException(base + path + " answered " + response.statusCode());
            }
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new Unreachable("no answer from " + base + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is the service running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
