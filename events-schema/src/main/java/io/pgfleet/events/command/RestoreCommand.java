package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.json.Related;
import io.pgfleet.events.NameRules;

/**
 * Brings a backup back into an instance: every database and the roles, or one database. The backup
 * may be another instance's (restore into a fresh instance).
 */
@Doc("Restores a backup into an instance: every database and the roles, or one database; or the whole instance to a point in time.")
@Related(firstExcludesOthers = {"pointInTime", "backup", "database"})
public record RestoreCommand(
        @Doc(value = "Instance restored into.", required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE) String instance,
        @Doc(value = "Namespace; the configured default when absent.", pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE) String namespace,
        @Doc(value = "The instance whose backups are used, as `name` (same namespace) or `namespace/name`. Default: the instance itself.",
                pattern = NameRules.INSTANCE_REFERENCE)
        String from,
        @Doc(value = "The backup: its backup id, or the restic snapshot id (8 to 64 hex digits) of any of its snapshots. Default: the latest successful backup.",
                pattern = NameRules.BACKUP_ID)
        String backup,
        @Doc(value = "Restore only this database (loaded beside the one it replaces, which it then replaces in one transaction). Default: every database and the roles.",
                pattern = NameRules.DATABASE, maxLength = NameRules.MAX_DATABASE)
        String database,
        @Doc(value = "Return the whole instance to this time (RFC 3339 with its offset, e.g. `2026-11-30T14:05:00Z`) from its WAL archive: its members are stopped, the primary restored and replayed up to the time, then promoted, the standbys copied again. Must be inside the recovery window (from the end of the oldest base backup kept to now); not with `backup` or `database`.",
                pattern = NameRules.TIME_WITH_OFFSET)
        String pointInTime) implements InstanceCommand {

    /** A restore of a backup (every database and the roles, or one database). */
    public RestoreCommand(String instance, String namespace, String from, String backup, String database) {
        this(instance, namespace, from, backup, database, null);
    }
}
