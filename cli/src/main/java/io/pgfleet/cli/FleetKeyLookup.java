package io.pgfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.secrets.FleetKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where the CLI finds the fleet's public key to seal with: {@code --fleet-key} (a JWK or JWK set file), else the local
 * stack's {@code <data-dir>/fleet-key.jwk}, else {@code GET <provisioner-url>/fleet/keys} — over https, or plain http on
 * this machine only. None found: nothing is sealed.
 */
public class FleetKeyLookup {

    /** The local stack's public key file, beside its private key {@code fleet-key.pem}. */
    static final String FILE = "fleet-key.jwk";

    @Option(names = "--fleet-key", defaultValue = "${env:PGFLEET_FLEET_KEY:-}",
            description = "The fleet's public key (JWK or JWK set file) to seal secrets with (default: $PGFLEET_FLEET_KEY, the local "
                    + "stack's, or the provisioner's /fleet/keys).")
    String file;

    @Option(names = "--data-dir", defaultValue = "${env:PGFLEET_DATA_DIR:-${sys:pgfleet.default-data-dir:-${sys:user.home}/.pgfleet}}", hidden = true)
    Path dataDir;

    @Option(names = "--provisioner-url", defaultValue = "${env:PGFLEET_PROVISIONER_URL:-http://127.0.0.1:9096}", hidden = true)
    String provisioner;

    Optional<FleetKey> find() {
        try {
            if (!file.isBlank()) {
                return Optional.of(parse(Files.readString(Path.of(file))));
            }
            Path local = dataDir.resolve(FILE);
            if (Files.exists(local)) {
                return Optional.of(parse(Files.readString(local)));
            }
            URI keys = URI.create(provisioner + "/fleet/keys");
            if (!ServiceUrls.untampered(provisioner)) {
                // a key fetched in clear from another machine could be anyone's: secrets would be sealed for them
                throw new IllegalStateException("the fleet's public key is not fetched over plain HTTP from " + keys.getHost()
                        + ": give the provisioner's https:// address, or the key itself with --fleet-key (or $PGFLEET_FLEET_KEY)");
            }
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(
                    HttpRequest.newBuilder(keys).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.ofNullable(parseOrNull(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static FleetKey parseOrNull(String json) throws IOException {
        JsonNode node = Json.mapper().readTree(json);
        return node.has("keys") && node.get("keys").isEmpty() ? null : parse(json);
    }

    /** A JWK, or the first key of a JWK set (the current one). */
    static FleetKey parse(String json) throws IOException {
        JsonNode node = Json.mapper().readTree(json);
        JsonNode key = node.has("keys") ? node.get("keys").get(0) : node;
        if (key == null) {
            throw new IOException("the fleet key set is empty");
        }
        return FleetKey.ofPublic(Json.mapper().writeValueAsString(key));
    }
}
