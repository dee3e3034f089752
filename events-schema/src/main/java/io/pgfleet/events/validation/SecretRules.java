package io.pgfleet.events.validation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The content rules of the secret fields, the same for a clear value and for a sealed one once opened (anyone can seal:
 * the fleet's public key is served). Each value ends up in a file, an environment variable or a config line
 * ({@code pgbackrest.conf}, a pgpass file, restic's environment), where a newline or a NUL would start a line of the
 * tenant's choosing, so each is held to its real character set. An answer never quotes the value.
 */
public final class SecretRules {

    /** S3 access and secret keys: printable ASCII without spaces (what S3 services issue). */
    private static final Pattern S3_KEY = Pattern.compile("[\\x21-\\x7E]+");

    private SecretRules() {
    }

    /** What is wrong with the value of the secret field at {@code path} ({@code …password}, {@code …s3AccessKey}, …), if anything. */
    public static Optional<String> problem(String path, String value) {
        String field = path.substring(path.lastIndexOf('.') + 1);
        if (value == null || value.isEmpty()) {
            return Optional.of("must not be empty");
        }
        switch (field) {
            case "s3AccessKey", "s3SecretKey" -> {
                if (!S3_KEY.matcher(value).matches()) {
                    return Optional.of("must be printable ASCII without spaces or control characters (an S3 key's character set)");
                }
                return value.length() > 256 ? Optional.of("must be at most 256 characters") : Optional.empty();
            }
            case "resticPassword" -> {
                if (value.strip().length() != value.length()) {
                    return Optional.of("must not begin or end with white space");
                }
                return text(value);
            }
            default -> {
                return text(value);
            }
        }
    }

    /** Any text of at most 1024 characters without control characters, NUL, or line and paragraph separators. */
    private static Optional<String> text(String value) {
        if (value.length() > 1024) {
            return Optional.of("must be at most 1024 characters");
        }
        boolean control = value.codePoints().anyMatch(c -> Character.getType(c) == Character.CONTROL
                || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR);
        return control ? Optional.of("must not contain control characters (a newline, a NUL, …)") : Optional.empty();
    }
}
