package io.pgfleet.events.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A sealed secret: a JWE in compact serialization (RFC 7516), {@code RSA-OAEP-256} + {@code A256GCM}, encrypted to the
 * fleet's public key, whose protected header names the instance it is for ({@value #INSTANCE_HEADER}). The header is
 * authenticated by the encryption, so a sealed value moved into another instance's command does not open. This class
 * reads only the form and the header (nothing secret); the services open values with the fleet's private key.
 */
public final class Sealed {

    /** The protected header parameter naming the instance ({@code <namespace>/<name>}). */
    public static final String INSTANCE_HEADER = "pgfleet.io/instance";
    public static final String ALGORITHM = "RSA-OAEP-256";
    public static final String ENCRYPTION = "A256GCM";

    private static final Pattern COMPACT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    /** The protected header of a sealed value: the algorithms, the key id and the instance it is for. */
    public record Header(String alg, String enc, String kid, String instance) {
    }

    private Sealed() {
    }

    /** Whether the value has the form of a sealed value (a JWE compact string whose header is JSON with {@code enc}). */
    public static boolean isSealed(String value) {
        return value != null && COMPACT.matcher(value).matches() && header(value).isPresent();
    }

    /** The protected header, when the value has a JWE's form. */
    public static Optional<Header> header(String value) {
        if (value == null || !COMPACT.matcher(value).matches()) {
            return Optional.empty();
        }
        try {
            JsonNode header = Json.mapper().readTree(Base64.getUrlDecoder().decode(value.substring(0, value.indexOf('.'))));
            if (header == null || !header.isObject() || !header.hasNonNull("enc")) {
                return Optional.empty();
            }
            return Optional.of(new Header(header.path("alg").asText(null), header.path("enc").asText(null), header.path("kid").asText(null),
                    header.path(INSTANCE_HEADER).asText(null)));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** What is wrong with a sealed value's header for this instance ({@code <namespace>/<name>}), if anything; never the value. */
    public static Optional<String> headerProblem(String value, String instance) {
        Header header = header(value).orElse(null);
        if (header == null) {
            return Optional.of("is not a sealed value");
        }
        if (!ALGORITHM.equals(header.alg()) || !ENCRYPTION.equals(header.enc())) {
            return Optional.of("is sealed with " + header.alg() + "/" + header.enc() + "; pgfleet opens " + ALGORITHM + "/" + ENCRYPTION + " only");
        }
        if (!instance.equals(header.instance())) {
            return Optional.of("is sealed for instance " + (header.instance() == null ? "(none)" : "'" + header.instance() + "'") + ", not for "
                    + instance + ": a sealed value opens only in a command for its own instance");
        }
        return Optional.empty();
    }
}
