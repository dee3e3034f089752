package io.pgfleet.events.validation;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which S3 endpoints a document may name ({@code pgfleet.backup.allowed-endpoints}), so that no document points the
 * backup-worker at an internal address. Entries: {@code host} (any port), {@code host:port}, {@code *.domain} (its
 * sub-domains), or {@code *}: any host name, but never an IP address or {@code localhost}, which must be named.
 */
final class S3Endpoints {

    private static final Pattern IPV4 = Pattern.compile("[0-9]+(\\.[0-9]+){0,3}");

    private S3Endpoints() {
    }

    /** Why the endpoint ({@code host[:port]}) is refused, or empty when an entry allows it. */
    static Optional<String> refusal(String endpoint, List<String> allowed) {
        String lower = endpoint.toLowerCase(Locale.ROOT);
        String host = lower.contains(":") ? lower.substring(0, lower.indexOf(':')) : lower;
        for (String entry : allowed) {
            String rule = entry.trim().toLowerCase(Locale.ROOT);
            if (rule.equals(lower) || rule.equals(host)
                    || rule.startsWith("*.") && host.endsWith(rule.substring(1))
                    || rule.equals("*") && !internal(host)) {
                return Optional.empty();
            }
        }
        return Optional.of("endpoint '" + endpoint + "' is not allowed: documents may name only the S3 endpoints of "
                + "pgfleet.backup.allowed-endpoints (" + String.join(", ", allowed) + ")"
                + (internal(host) ? "; an IP address or localhost must be named there explicitly" : ""));
    }

    private static boolean internal(String host) {
        return IPV4.matcher(host).matches() || host.equals("localhost") || host.endsWith(".localhost") || host.isEmpty();
    }
}
