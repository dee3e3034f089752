package io.pgfleet.events.validation;

import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.NameRules;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import io.pgfleet.events.secrets.Sealed;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** The rules of {@code spec.backup}. */
final class BackupRules {

    private static final Pattern REGION = Pattern.compile(NameRules.S3_REGION);

    private BackupRules() {
    }


    static void check(String path, Backup backup, ValidationPolicy policy, Errors errors) {
        boolean enabled = Boolean.TRUE.equals(backup.enabled());
        if (backup.s3Region() != null && !REGION.matcher(backup.s3Region()).matches()) {
            errors.add(path + ".s3Region", "'" + backup.s3Region() + "' is not a valid region: lower-case letters, digits and '-'");
        }
        if (backup.s3Bucket() != null) {
            try {
                S3Location location = S3Location.parse(backup.s3Bucket());
                if (location.endpoint() != null) {
                    S3Endpoints.refusal(location.endpoint(), policy.allowedEndpoints()).ifPresent(rule -> errors.add(path + ".s3Bucket", rule));
                }
            } catch (IllegalArgumentException e) {
                errors.add(path + ".s3Bucket", e.getMessage());
            }
        } else if (enabled) {
            errors.add(path + ".s3Bucket", "is required when backups are enabled");
        }
        for (String[] cron : new String[][]{{"schedule", backup.schedule()}, {"verifySchedule", backup.verifySchedule()}}) {
            if (cron[1] != null) {
                try {
                    CronExpression.parse(cron[1]);
                } catch (IllegalArgumentException e) {
                    errors.add(path + "." + cron[0], e.getMessage());
                }
            }
        }
        if (backup.cleanupStrategy() != null) {
            List<String> problems = new ArrayList<>();
            RetentionPolicy.parse(backup.cleanupStrategy(), problems);
            problems.forEach(problem -> errors.add(path + ".cleanupStrategy", problem));
        }
        // The three secrets go together: a document either brings a full set or keeps the stored one.
        if (backup.hasCredentials()) {
            requireSecret(path + ".s3AccessKey", backup.s3AccessKey(), policy, errors);
            requireSecret(path + ".s3SecretKey", backup.s3SecretKey(), policy, errors);
            requireSecret(path + ".resticPassword", backup.resticPassword(), policy, errors);
        }
    }

    private static void requireSecret(String path, String value, ValidationPolicy policy, Errors errors) {
        if (value != null && Sealed.isSealed(value)) {
            return;
        }
        if (value != null && !value.isEmpty() && policy.requireSealed()) {
            errors.add(path, CommandValidator.REQUIRE_SEALED);
        } else if (value == null || value.isEmpty()) {
            errors.add(path, "is required with the other backup credentials (s3AccessKey, s3SecretKey and resticPassword go together)");
        } else {
            SecretRules.problem(path, value).ifPresent(rule -> errors.add(path, rule));
        }
    }

    /**
     * A restore to a point in time: an RFC 3339 time with its offset, which returns the whole instance, so it names
     * neither a backup nor a database.
     */
    static void checkPointInTime(String pointInTime, String backup, String database, Errors errors) {
        if (pointInTime == null) {
            return;
        }
        try {
            OffsetDateTime.parse(pointInTime);
        } catch (DateTimeParseException e) {
            errors.add("pointInTime", "'" + pointInTime + "' is not an RFC 3339 time with its offset, e.g. 2026-11-30T14:05:00Z");
        }
        if (backup != null) {
            errors.add("backup", "a point-in-time restore finds its base backup itself: give pointInTime or backup, not both");
        }
        if (database != null) {
            errors.add("database", "a point-in-time restore returns the whole instance: give pointInTime or database, not both");
        }
    }
}
