package io.pgfleet.backup.restic;

import java.util.List;
import java.util.Map;

/**
 * What opens a repository: the S3 keys and the restic password. Secrets: {@link #toString()} shows none,
 * and {@link #mask} takes them out of any text before it goes to an event or a log line.
 */
public record ResticCredentials(String s3AccessKey, String s3SecretKey, String resticPassword) {

    /** The keys in the credential store. */
    public static final String ACCESS_KEY = "s3AccessKey";
    public static final String SECRET_KEY = "s3SecretKey";
    public static final String PASSWORD = "resticPassword";

    /** From a credential store entry, or {@code null} when it is incomplete. */
    public static ResticCredentials from(Map<String, String> stored) {
        String access = stored.get(ACCESS_KEY);
        String secret = stored.get(SECRET_KEY);
        String password = stored.get(PASSWORD);
        return access == null || secret == null || password == null ? null : new ResticCredentials(access, secret, password);
    }

    /** As a credential store entry. */
    public Map<String, String> asMap() {
        return Map.of(ACCESS_KEY, s3AccessKey, SECRET_KEY, s3SecretKey, PASSWORD, resticPassword);
    }

    /** The environment restic reads them from (never its command line). */
    public Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", s3AccessKey, "AWS_SECRET_ACCESS_KEY", s3SecretKey, "RESTIC_PASSWORD", resticPassword);
    }

    /** {@code text} with every secret replaced by {@code ***}. */
    public String mask(String text) {
        String masked = text;
        for (String secret : List.of(s3AccessKey, s3SecretKey, resticPassword)) {
            if (!secret.isEmpty()) {
                masked = masked.replace(secret, "***");
            }
        }
        return masked;
    }

    @Override
    public String toString() {
        return "ResticCredentials[***]";
    }
}
