package io.pgfleet.events.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Which S3 endpoints a document may name ({@code pgfleet.backup.allowed-endpoints}), so that no document points the
 * backup-worker (and the credentials it sends) at an internal address. An endpoint is judged by its address: an IP
 * literal in any form a resolver takes ({@link IpLiterals}: dotted, short, hex, octal, decimal, IPv6, IPv4-mapped), or
 * what a host name resolves to. Entries: {@code host} (any port), {@code host:port}, an address (any of its forms, with
 * or without a port), {@code *.domain} (its sub-domains), or {@code *}: any host name. Under {@code *} and
 * {@code *.domain}, a name that resolves to a loopback, link-local, private, shared, multicast or reserved address is
 * refused, as is every address and {@code localhost}; those are allowed only by an entry that names them. A name that
 * does not resolve is not refused here (there is nothing to send anything to): the backup-worker judges it again when it
 * connects.
 */
public final class S3Endpoints {

    /** Host names: labels of letters, digits and '-', whose last label is not all digits (that would be an address form). */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");
    private static final long RESOLVE_MILLIS = 2000;

    private S3Endpoints() {
    }

    /** Why the endpoint ({@code host[:port]}) is refused, or empty when an entry allows it; names resolved by the system. */
    public static Optional<String> refusal(String endpoint, List<String> allowed) {
        return refusal(endpoint, allowed, S3Endpoints::resolve);
    }

    /**
     * Why the endpoint ({@code host[:port]}, {@code [v6][:port]}) is refused, or empty when an entry allows it.
     *
     * @param resolver a host name's addresses (empty when it has none)
     */
    public static Optional<String> refusal(String endpoint, List<String> allowed, Function<String, List<InetAddress>> resolver) {
        HostPort target = HostPort.parse(endpoint);
        Optional<InetAddress> literal = IpLiterals.parse(target.host());
        for (String entry : allowed) {
            String rule = entry.trim().toLowerCase(Locale.ROOT);
            if (rule.isEmpty()) {
                continue;
            }
            if (rule.equals("*") || rule.startsWith("*.")) {
                if (!isAddress(target.host()) && !isLocalName(target.host()) && (rule.equals("*") || target.host().endsWith(rule.substring(1)))
                        && internalAddress(resolver.apply(target.host())).isEmpty()) {
                    return Optional.empty();
                }
                continue;
            }
            HostPort named = HostPort.parse(rule);
            if (named.port() != null && !named.port().equals(target.port())) {
                continue;
            }
            Optional<InetAddress> namedAddress = IpLiterals.parse(named.host());
            if (namedAddress.isPresent() ? namedAddress.equals(literal) : named.host().equals(target.host())) {
                return Optional.empty();
            }
        }
        String why;
        if (literal.isPresent()) {
            why = "; it is the IP address " + literal.get().getHostAddress() + ", which must be named there explicitly";
        } else if (isLocalName(target.host())) {
            why = "; localhost must be named there explicitly";
        } else if (NUMERIC_LABEL.matcher(lastLabel(target.host())).matches()) {
            why = "; a host name's last label is never a number";
        } else {
            why = internalAddress(resolver.apply(target.host()))
                    .map(address -> "; it resolves to " + address.getHostAddress() + ", an internal address, which must be named there explicitly")
                    .orElse("");
        }
        return Optional.of("endpoint '" + endpoint + "' is not allowed: documents may name only the S3 endpoints of "
                + "pgfleet.backup.allowed-endpoints (" + String.join(", ", allowed) + ")" + why);
    }

    /** Whether {@code host} is written as an IP address in any form a resolver takes (so it is judged as one). */
    public static boolean isAddress(String host) {
        return IpLiterals.parse(host).isPresent() || NUMERIC_LABEL.matcher(lastLabel(host.toLowerCase(Locale.ROOT))).matches();
    }

    /** The first of the addresses that no document may reach unless an entry names it, if any. */
    public static Optional<InetAddress> internalAddress(List<InetAddress> addresses) {
        return addresses.stream().filter(IpLiterals::isInternal).findFirst();
    }

    /** The system resolver's addresses for a host name, waiting at most two seconds; empty when it has none. */
    public static List<InetAddress> resolve(String host) {
        CompletableFuture<List<InetAddress>> lookup = CompletableFuture.supplyAsync(() -> {
            try {
                return List.of(InetAddress.getAllByName(host));
            } catch (UnknownHostException e) {
                return List.of();
            }
        });
        try {
            return lookup.get(RESOLVE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static boolean isLocalName(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return name.isEmpty() || name.equals("localhost") || name.endsWith(".localhost");
    }

    private static String lastLabel(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** {@code host[:port]} or {@code [v6][:port]}, lower-case; the port is {@code null} when absent. */
    record HostPort(String host, String port) {

        static HostPort parse(String text) {
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.startsWith("[")) {
                int close = lower.indexOf(']');
                if (close > 0) {
                    String rest = lower.substring(close + 1);
                    return new HostPort(lower.substring(0, close + 1), rest.startsWith(":") ? rest.substring(1) : null);
                }
            }
            int colon = lower.lastIndexOf(':');
            return colon < 0 ? new HostPort(lower, null) : new HostPort(lower.substring(0, colon), lower.substring(colon + 1));
        }
    }
}
