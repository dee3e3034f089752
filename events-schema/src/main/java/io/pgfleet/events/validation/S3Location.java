package io.pgfleet.events.validation;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where backups go, read from {@code s3Bucket}: {@code bucket}, {@code bucket/prefix}, or
 * {@code endpoint/bucket[/prefix]} when the first segment looks like a host (has a '.' or ':', or is an IP address in
 * any form a resolver takes, such as {@code 2130706433} or {@code 0x7f000001}),
 * optionally with {@code http://} or {@code https://} in front.
 *
 * @param scheme   {@code https} unless the text says {@code http://}
 * @param endpoint host[:port], or {@code null} for the configured default endpoint
 * @param bucket   the bucket
 * @param prefix   path inside the bucket, without slashes at either end ({@code ""} for none)
 */
public record S3Location(String scheme, String endpoint, String bucket, String prefix) {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._/-]*");

    /**
     * Reads a location.
     *
     * @throws IllegalArgumentException with the rule broken
     */
    public static S3Location parse(String text) {
        String rest = text;
        String scheme = "https";
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            rest = text.substring(8);
        } else if (lower.startsWith("http://")) {
            scheme = "http";
            rest = text.substring(7);
        }
        String[] parts = rest.split("/", -1);
        String endpoint = null;
        int bucketIndex = 0;
        if (parts[0].contains(".") || parts[0].contains(":") || parts[0].startsWith("[") || S3Endpoints.isAddress(parts[0])) {
            if (!HOST.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException("'" + parts[0] + "' is not a valid S3 endpoint host[:port]");
            }
            endpoint = parts[0];
            bucketIndex = 1;
        }
        if (parts.length <= bucketIndex || !BUCKET.matcher(parts[bucketIndex]).matches()) {
            throw new IllegalArgumentException("'" + text + "' does not name a valid bucket: 3 to 63 lower-case letters, digits, "
                    + "'.' and '-' (forms: bucket, bucket/prefix, endpoint/bucket[/prefix])");
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = bucketIndex + 1; i < parts.length; i++) {
            if (parts[i].isEmpty()) {
                continue;
            }
            if (!PREFIX.matcher(parts[i]).matches() || parts[i].equals("..") || parts[i].equals(".")) {
                throw new IllegalArgumentException("'" + parts[i] + "' is not a valid path segment in the bucket");
            }
            prefix.append(prefix.length() == 0 ? "" : "/").append(parts[i]);
        }
        return new S3Location(scheme, endpoint, parts[bucketIndex], prefix.toString());
    }

    /**
     * The restic repository of one instance: {@code s3:<scheme>://<endpoint>/<bucket>/<prefix>/<namespace>/<name>}.
     *
     * @param defaultEndpoint used when the location names none, e.g. {@code http://127.0.0.1:9000}
     */
    public String resticRepository(String defaultEndpoint, String namespace, String name) {
        String base = endpoint == null ? stripSlash(defaultEndpoint) : scheme + "://" + endpoint;
        String path = bucket + (prefix.isEmpty() ? "" : "/" + prefix) + "/" + namespace + "/" + name;
        return "s3:" + base + "/" + path;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
