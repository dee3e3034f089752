package io.pgfleet.backup.command;

import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.pgfleet.backup.catalog.BackupRunRepository;
import io.pgfleet.backup.catalog.BackupRunRow;
import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.command.VerifyCommand;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.validation.CronExpression;
import io.pgfleet.runtime.command.CommandHandler;
import io.pgfleet.runtime.secrets.FleetKeys;
import io.pgfleet.runtime.job.JobKind;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import io.pgfleet.backup.wal.WalArchive;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Provision (backup part): the instance's backup configuration and schedule, its credentials in the
 * credential store. Backup: a run now. Restore: a backup brought back into an instance. Verify: a restore drill.
 */
@Singleton
public class BackupCommands implements CommandHandler {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final BackupConfigRepository configs;
    private final BackupRunRepository runs;
    private final JobRepository jobs;
    private final BackupSettings settings;
    private final Clock clock;
    private final Set<String> crossNamespaceRestores;
    private final FleetKeys keys;
    private final WalArchive walArchives;
    /** At most this many on-demand backups per namespace and hour (the settings' {@code limits}). */
    private final int backupsPerHour;

    public BackupCommands(BackupConfigRepository configs, BackupRunRepository runs, JobRepository jobs, BackupSettings settings, Clock clock,
                          FleetKeys keys, WalArchive walArchives) {
        this.backupsPerHour = settings.limits().backupsPerHour();
        this.keys = keys;
        this.walArchives = walArchives;
        this.crossNamespaceRestores = Set.copyOf(settings.limits().crossNamespaceRestores());
        this.configs = configs;
        this.runs = runs;
        this.jobs = jobs;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<CommandType> commandTypes() {
        return Set.of(CommandType.PROVISION, CommandType.BACKUP, CommandType.RESTORE, CommandType.VERIFY);
    }

    @Override
    public List<FieldError> check(DecodedCommand command) {
        List<FieldError> errors = new ArrayList<>();
        InstanceKey key = command.instance();
        switch (command.type()) {
            case PROVISION -> {
                // Nothing of the backup part is refused here that the other services would accept: a problem with this
                // service's part (no credentials) is this service's FAILED, so one command never gets two verdicts.
            }
            case BACKUP -> {
                if (configs.findById(key.toString()).isEmpty()) {
                    errors.add(new FieldError("instance", "instance " + key + " has no backup configuration: provision it with "
                            + "spec.backup.s3Bucket first"));
                } else if (settings.credentials(key).isEmpty()) {
                    errors.add(new FieldError("instance", "instance " + key + " has no backup credentials"));
                } else {
                    // Each on-demand backup costs the fleet a dump of every database and S3 traffic: bounded per namespace.
                    long lastHour = runs.countOnDemandSince(key.namespace(), Instant.now(clock).minus(Duration.ofHours(1)));
                    if (lastHour >= backupsPerHour) {
                        errors.add(new FieldError("instance", "namespace '" + key.namespace() + "' was given " + lastHour
                                + " on-demand backups in the last hour; at most " + backupsPerHour
                                + " (pgfleet.limits.namespace-backups-per-hour): try again later"));
                    }
                }
            }
            case VERIFY -> {
                String pointInTime = ((VerifyCommand) command.payload()).pointInTime();
                if (configs.findById(key.toString()).isEmpty()) {
                    errors.add(new FieldError("instance", "instance " + key + " has no backup configuration, so it has no backups to verify"));
                } else if (pointInTime != null) {
                    outsideWindow(key, pointInTime).ifPresent(rule -> errors.add(new FieldError("pointInTime", rule)));
                }
            }
            case RESTORE -> {
                InstanceKey source = source(command);
                String pair = source.namespace() + ":" + key.namespace();
                if (!source.namespace().equals(key.namespace()) && !crossNamespaceRestores.contains(pair)) {
                    errors.add(new FieldError("from", "restoring backups of namespace '" + source.namespace() + "' into namespace '"
                            + key.namespace() + "' is not allowed: a restore stays in its namespace unless "
                            + "pgfleet.backup.cross-namespace-restores lists '" + pair + "'"));
                } else if (configs.findById(source.toString()).isEmpty()) {
                    errors.add(new FieldError(((RestoreCommand) command.payload()).from() == null ? "instance" : "from",
                            "instance " + source + " has no backup configuration, so it has no backups"));
                } else if (((RestoreCommand) command.payload()).pointInTime() != null) {
                    outsideWindow(source, ((RestoreCommand) command.payload()).pointInTime())
                            .ifPresent(rule -> errors.add(new FieldError("pointInTime", rule)));
                }
            }
            default -> throw new IllegalArgumentException("not a backup-worker command: " + command.type());
        }
        return errors;
    }

    @Override
    public String accept(DecodedCommand command) {
        InstanceKey key = command.instance();
        Instant now = Instant.now(clock);
        switch (command.type()) {
            case PROVISION -> {
                Backup backup = backupOf((Postgres) command.payload());
                String message = configure(key, backup, now);
                jobs.save(JobRow.pending(key.toString(), command.commandId(), JobKind.PROVISION, json(Map.of("message", message)), now));
                return message;
            }
            case BACKUP -> {
                BackupConfigRow config = configs.findById(key.toString()).orElseThrow();
                String id = backupId(now);
                runs.save(new BackupRunRow(id, key.toString(), command.commandId(), "on-demand", null, settings.repositoryUrl(config, key),
                        "PENDING", null, null, null, null, null, null, null, false, now, null, null));
                jobs.save(JobRow.pending(key.toString(), command.commandId(), JobKind.BACKUP, json(Map.of("backupId", id)), now));
                return "backup " + id + " of " + key + " queued";
            }
            case RESTORE -> {
                RestoreCommand restore = (RestoreCommand) command.payload();
                Map<String, Object> spec = new LinkedHashMap<>();
                spec.put("from", source(command).toString());
                spec.put("backup", restore.backup());
                spec.put("database", restore.database());
                if (restore.pointInTime() != null) {
                    spec.put("pointInTime", restore.pointInTime());
                    jobs.save(JobRow.pending(key.toString(), command.commandId(), JobKind.RESTORE, json(spec), now));
                    return "restore of " + key + " to " + restore.pointInTime() + " from the WAL archive of " + source(command) + " queued";
                }
                jobs.save(JobRow.pending(key.toString(), command.commandId(), JobKind.RESTORE, json(spec), now));
                return "restore of " + (restore.database() == null ? "every database and the roles" : "database " + restore.database())
                        + " from " + (restore.backup() == null ? "the latest backup" : "backup " + restore.backup()) + " of "
                        + source(command) + " queued";
            }
            case VERIFY -> {
                VerifyCommand verify = (VerifyCommand) command.payload();
                Map<String, Object> spec = new LinkedHashMap<>();
                spec.put("backup", verify.backup());
                if (verify.pointInTime() != null) {
                    spec.put("pointInTime", OffsetDateTime.parse(verify.pointInTime()).toInstant().toString());
                }
                jobs.save(JobRow.pending(key.toString(), command.commandId(), JobKind.VERIFY, json(spec), now));
                return "restore drill of " + (verify.pointInTime() != null ? key + " at " + verify.pointInTime()
                        : (verify.backup() == null ? "the newest restorable time (WAL archived) or backup" : "backup " + verify.backup()) + " of " + key)
                        + " queued";
            }
            default -> throw new IllegalArgumentException("not a backup-worker command: " + command.type());
        }
    }

    /** Records the configuration; a document without a bucket disables backups and keeps what is known (restores still work). */
    private String configure(InstanceKey key, Backup backup, Instant now) {
        Optional<BackupConfigRow> existing = configs.findById(key.toString());
        if (backup == null || backup.s3Bucket() == null) {
            existing.ifPresent(row -> configs.upsert(new BackupConfigRow(row.instance(), false, row.s3Bucket(), row.s3Region(),
                    row.schedule(), row.cleanupStrategy(), null, now, row.verifySchedule(), null, null)));
            return "backups are not enabled";
        }
        if (backup.hasCredentials()) {
            // Sealed values are opened here, where they are used: into the credential store, nowhere else.
            settings.store().write(key, new ResticCredentials(keys.open(backup.s3AccessKey(), key), keys.open(backup.s3SecretKey(), key),
                    keys.open(backup.resticPassword(), key)).asMap());
        }
        Instant next = backup.enabled() ? CronExpression.parse(backup.schedule()).next(now.atZone(ZoneOffset.UTC)).toInstant() : null;
        configs.upsert(new BackupConfigRow(key.toString(), backup.enabled(), backup.s3Bucket(), backup.s3Region(), backup.schedule(),
                backup.cleanupStrategy(), next, now, backup.verifySchedule(), null, null));
        return backup.enabled() ? "backups enabled (" + backup.schedule() + " UTC), next at " + next : "backups are not enabled";
    }

    /** Why a time cannot be restored to: outside the window from the end of the oldest base backup to now (named). */
    private Optional<String> outsideWindow(InstanceKey source, String pointInTime) {
        Instant at;
        try {
            at = OffsetDateTime.parse(pointInTime).toInstant();
        } catch (DateTimeParseException e) {
            return Optional.empty();   // the validator names it
        }
        Instant now = Instant.now(clock);
        Optional<Instant> earliest = walArchives.recoverableFrom(source);
        if (earliest.isEmpty()) {
            return Optional.of("instance " + source + " has no base backup in a WAL archive yet, so no time can be restored to");
        }
        if (at.isBefore(earliest.get()) || at.isAfter(now)) {
            return Optional.of(pointInTime + " is outside the recovery window of " + source + ", " + earliest.get() + " to now (" + now + ")"
                    + (at.isAfter(now) ? ": it is in the future" : ": it is before the oldest base backup kept ends"));
        }
        return Optional.empty();
    }

    private InstanceKey source(DecodedCommand command) {
        String from = ((RestoreCommand) command.payload()).from();
        return from == null ? command.instance() : InstanceKey.parse(from, command.instance().namespace());
    }

    private static Backup backupOf(Postgres doc) {
        return doc.spec() == null || doc.spec().backup() == null ? null : doc.spec().backup().effective();
    }

    /** A backup id people can read and sort: {@code 20261124-031500-3fa2c1}. */
    public static String backupId(Instant now) {
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        return ID_TIME.format(now) + "-" + HexFormat.of().formatHex(random);
    }

    static String json(Object value) {
        return Json.write(value);
    }
}
