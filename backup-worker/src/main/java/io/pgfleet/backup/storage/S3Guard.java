package io.pgfleet.backup.storage;

import io.micronaut.context.annotation.Value;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.events.validation.S3Endpoints;
import io.pgfleet.events.validation.S3Location;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;
import java.util.Locale;
import java.util.Optional;

/**
 * Judges a document's S3 endpoint again just before restic or pgBackRest connect to it with credentials: a name that
 * resolved to a public address when the command was validated may resolve to an internal one now (DNS rebinding), so it
 * is resolved again against {@code pgfleet.backup.allowed-endpoints}. And the fleet's default credentials
 * ({@code pgfleet.backup.default-credentials.*}) go only to the configured endpoint and to those of
 * {@code pgfleet.backup.default-credentials.endpoints}, never to one a document chose. Endpoints the operator set
 * ({@code s3-endpoint-override}, {@code wal-s3-endpoint-override}) are the operator's and not judged.
 */
@Singleton
public class S3Guard {

    private final List<String> allowed;
    private final List<String> defaultCredentialEndpoints;
    private final ResticCredentials defaults;
    private final boolean overridden;

    public S3Guard(@Value("${pgfleet.backup.allowed-endpoints:*}") List<String> allowed,
                   @Value("${pgfleet.backup.default-credentials.endpoints:}") List<String> defaultCredentialEndpoints,
                   @Value("${pgfleet.backup.default-credentials.s3-access-key:}") String accessKey,
                   @Value("${pgfleet.backup.default-credentials.s3-secret-key:}") String secretKey,
                   @Value("${pgfleet.backup.default-credentials.restic-password:}") String password,
                   @Value("${pgfleet.backup.s3-endpoint-override:}") String endpointOverride,
                   @Value("${pgfleet.backup.wal-s3-endpoint-override:}") String walEndpointOverride) {
        this.allowed = List.copyOf(allowed);
        this.defaultCredentialEndpoints = defaultCredentialEndpoints.stream().map(e -> e.trim().toLowerCase(Locale.ROOT))
                .filter(e -> !e.isEmpty()).toList();
        this.defaults = accessKey.isEmpty() || secretKey.isEmpty() || password.isEmpty() ? null
                : new ResticCredentials(accessKey, secretKey, password);
        this.overridden = !endpointOverride.isBlank() || !walEndpointOverride.isBlank();
    }

    /**
     * Where a connection to a document's endpoint goes: the name, and the address it resolved to when it was judged.
     *
     * @param tls whether the endpoint speaks HTTPS (a tunnel carries it, verified against the name) or HTTP
     */
    public record Pin(String host, int port, boolean tls, InetAddress address) {
    }

    /** Why these credentials may not be sent to the bucket's endpoint now, or empty when they may. */
    public Optional<String> refusal(String s3Bucket, ResticCredentials credentials) {
        return judge(s3Bucket, credentials, S3Endpoints::resolve);
    }

    /**
     * Judges the endpoint as {@link #check} does, resolving its name once, and returns the address that name resolved to
     * for the connection to be pinned to (so no second lookup can lead it elsewhere); empty for the operator's endpoints,
     * the default one and IP addresses, which are what they say.
     */
    public Optional<Pin> pin(String s3Bucket, ResticCredentials credentials) {
        S3Location location = S3Location.parse(s3Bucket);
        String endpoint = location.endpoint();
        if (endpoint == null || overridden || S3Endpoints.isAddress(host(endpoint))) {
            check(s3Bucket, credentials);
            return Optional.empty();
        }
        List<InetAddress> addresses = S3Endpoints.resolve(host(endpoint));
        judge(s3Bucket, credentials, name -> addresses).ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        if (addresses.isEmpty()) {
            throw new IllegalStateException("the S3 endpoint " + endpoint + " does not resolve");
        }
        boolean tls = location.scheme().equals("https");
        int colon = endpoint.lastIndexOf(':');
        int port = colon > 0 ? Integer.parseInt(endpoint.substring(colon + 1)) : tls ? 443 : 80;
        return Optional.of(new Pin(host(endpoint).toLowerCase(Locale.ROOT), port, tls, addresses.get(0)));
    }

    private static String host(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        return endpoint.startsWith("[") || colon < 0 ? endpoint : endpoint.substring(0, colon);
    }

    private Optional<String> judge(String s3Bucket, ResticCredentials credentials, Function<String, List<InetAddress>> resolver) {
        String endpoint = S3Location.parse(s3Bucket).endpoint();
        if (endpoint == null || overridden) {
            return Optional.empty();
        }
        Optional<String> now = S3Endpoints.refusal(endpoint, allowed, resolver);
        if (now.isPresent()) {
            return Optional.of("judged again before connecting: " + now.get());
        }
        if (credentials.equals(defaults) && !defaultCredentialEndpoints.contains(endpoint.toLowerCase(Locale.ROOT))) {
            return Optional.of("the fleet's default backup credentials go only to the configured S3 endpoint and those of "
                    + "pgfleet.backup.default-credentials.endpoints, not to " + endpoint + " which the document names; give the "
                    + "document its own s3AccessKey, s3SecretKey and resticPassword");
        }
        return Optional.empty();
    }

    /** The same, as an {@link IllegalStateException} that fails the step with the reason. */
    public void check(String s3Bucket, ResticCredentials credentials) {
        refusal(s3Bucket, credentials).ifPresent(why -> {
            throw new IllegalStateException(why);
        });
    }
}
