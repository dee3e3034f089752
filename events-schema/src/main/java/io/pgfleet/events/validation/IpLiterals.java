package io.pgfleet.events.validation;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP addresses as resolvers read them, so that an endpoint is judged by the address it reaches and not by how it is
 * written. IPv4 in every form {@code inet_aton} (and so glibc's resolver, curl, Go's and restic's) takes: one to four
 * parts, each decimal, octal ({@code 0177}) or hexadecimal ({@code 0x7f}), the last filling the bytes left
 * ({@code 127.1}, {@code 2130706433}, {@code 0x7f000001}); IPv6 in brackets, IPv4-mapped and -embedded forms included.
 * Pure: never asks a resolver.
 */
final class IpLiterals {

    private static final Pattern PART = Pattern.compile("0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+(%[0-9a-z]+)?");

    private IpLiterals() {
    }

    /** The address {@code host} is written as, or empty when it is a name (or nothing a resolver would take as an address). */
    static Optional<InetAddress> parse(String text) {
        String host = text.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.contains(":")) {
            return IPV6.matcher(host).matches() ? literal("[" + host + "]") : Optional.empty();
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!PART.matcher(parts[i]).matches()) {
                return Optional.empty();
            }
            String part = parts[i];
            BigInteger value = part.startsWith("0x") ? (part.length() == 2 ? BigInteger.ZERO : new BigInteger(part.substring(2), 16))
                    : part.length() > 1 && part.startsWith("0") ? new BigInteger(part.substring(1), 8) : new BigInteger(part);
            long limit = i < parts.length - 1 ? 0xFF : (1L << (8 * (5 - parts.length))) - 1;
            if (value.compareTo(BigInteger.valueOf(limit)) > 0) {
                return Optional.empty();
            }
            values[i] = value.longValue();
        }
        long address = values[parts.length - 1];
        for (int i = 0; i < parts.length - 1; i++) {
            address |= values[i] << (8 * (3 - i));
        }
        return literal(((address >> 24) & 0xFF) + "." + ((address >> 16) & 0xFF) + "." + ((address >> 8) & 0xFF) + "." + (address & 0xFF));
    }

    /**
     * Whether no document may reach it unless an entry names it: unspecified, loopback, link-local (cloud metadata at
     * 169.254.169.254), private (10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10), shared (100.64/10), multicast,
     * benchmarking, reserved and broadcast addresses, and IPv6 forms that carry such an IPv4 address
     * (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16).
     */
    static boolean isInternal(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xFF;
            int second = bytes[1] & 0xFF;
            return first == 0 || first >= 240 || first == 100 && (second & 0xC0) == 64 || first == 192 && second == 0 && bytes[2] == 0
                    || first == 198 && (second & 0xFE) == 18;
        }
        if (address instanceof Inet6Address) {
            if ((bytes[0] & 0xFE) == 0xFC) {
                return true;   // unique local
            }
            boolean zeroPrefix = true;
            for (int i = 0; i < 12; i++) {
                zeroPrefix &= bytes[i] == 0;
            }
            boolean nat64 = (bytes[0] & 0xFF) == 0x00 && (bytes[1] & 0xFF) == 0x64 && (bytes[2] & 0xFF) == 0xFF && (bytes[3] & 0xFF) == 0x9B;
            if (zeroPrefix || nat64) {
                return isInternal(v4(bytes, 12));
            }
            if ((bytes[0] & 0xFF) == 0x20 && (bytes[1] & 0xFF) == 0x02) {
                return isInternal(v4(bytes, 2));
            }
        }
        return false;
    }

    private static InetAddress v4(byte[] bytes, int from) {
        try {
            return InetAddress.getByAddress(new byte[] {bytes[from], bytes[from + 1], bytes[from + 2], bytes[from + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An address from its literal text (IPv6 in brackets, which Java never sends to a resolver). */
    private static Optional<InetAddress> literal(String text) {
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
