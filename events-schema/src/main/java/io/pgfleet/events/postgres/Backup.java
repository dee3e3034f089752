package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;
import io.pgfleet.events.json.Related;
import io.pgfleet.events.NameRules;

/**
 * Periodic backups with restic to an S3 bucket. The three secrets travel in the command only; the
 * backup-worker keeps them in the credential store. They may be omitted from a later document to
 * keep the stored ones, or from every document when the operator configured default credentials;
 * when given, all three are given together.
 */
@Doc("Periodic backups with restic to S3.")
@Related(together = {"s3AccessKey", "s3SecretKey", "resticPassword"}, trueRequires = {"enabled", "s3Bucket"})
public record Backup(
        @Doc("Backups are taken on the schedule. Default false.") Boolean enabled,
        @Doc(value = "S3 region. Default `us-east-1`.", pattern = NameRules.S3_REGION) String s3Region,
        @Doc("Where the restic repositories live: `bucket`, `bucket/prefix`, or `endpoint/bucket[/prefix]` when the first segment contains a '.' or ':' (e.g. `s3.tenant.example/postgres-backups`). Required when enabled.")
        String s3Bucket,
        @Doc("When backups run: a 5-field cron expression (minute hour day-of-month month day-of-week), UTC. Default `0 2 * * *`.") String schedule,
        @Doc("Retention after each backup, as restic forget flags: --keep-last|hourly|daily|weekly|monthly|yearly=N (N >= 1), --keep-within[-hourly|-daily|-weekly|-monthly|-yearly]=DURATION (e.g. 2m, 7d, 1y6m), --keep-tag=TAG.")
        String cleanupStrategy,
        @Doc("S3 access key. Secret: never echoed. Given together with s3SecretKey and resticPassword, or all three omitted to keep the stored (or configured default) credentials. In clear, or sealed for this instance: a JWE compact string (RSA-OAEP-256 + A256GCM to the fleet's key from /fleet/keys, protected header `pgfleet.io/instance: <namespace>/<name>`); see docs/events.md, Sealed secrets.")
        String s3AccessKey,
        @Doc("S3 secret key. Secret: never echoed. In clear, or sealed for this instance: a JWE compact string (RSA-OAEP-256 + A256GCM to the fleet's key from /fleet/keys, protected header `pgfleet.io/instance: <namespace>/<name>`); see docs/events.md, Sealed secrets.") String s3SecretKey,
        @Doc("Password that encrypts the restic repository. Secret: never echoed. In clear, or sealed for this instance: a JWE compact string (RSA-OAEP-256 + A256GCM to the fleet's key from /fleet/keys, protected header `pgfleet.io/instance: <namespace>/<name>`); see docs/events.md, Sealed secrets.") String resticPassword,
        @Doc("pgfleet's extension of the `Postgres` API (not in the reference): when restore drills run (`verify` with its defaults: the newest restorable time where the WAL is archived, else the newest backup, restored into a scratch server, checked, removed), a 5-field cron expression, UTC. Default: the operator's `pgfleet.backup.verify.schedule` (none when it is empty).")
        String verifySchedule) {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_SCHEDULE = "0 2 * * *";

    static Backup disabled() {
        return new Backup(false, null, null, null, null, null, null, null, null);
    }

    /** This configuration with the documented defaults filled in. */
    public Backup effective() {
        return new Backup(enabled != null && enabled, s3Region == null ? DEFAULT_REGION : s3Region, s3Bucket,
                schedule == null ? DEFAULT_SCHEDULE : schedule, cleanupStrategy, s3AccessKey, s3SecretKey, resticPassword, verifySchedule);
    }

    /** Whether the document carries the credentials (all three secrets). */
    public boolean hasCredentials() {
        return s3AccessKey != null || s3SecretKey != null || resticPassword != null;
    }

    @Override
    public String toString() {
        return "Backup[enabled=" + enabled + ", s3Region=" + s3Region + ", s3Bucket=" + s3Bucket + ", schedule=" + schedule
                + ", cleanupStrategy=" + cleanupStrategy + ", credentials=" + (hasCredentials() ? "***" : "absent")
                + ", verifySchedule=" + verifySchedule + "]";
    }
}
