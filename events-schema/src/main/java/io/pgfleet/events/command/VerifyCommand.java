package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;
import io.pgfleet.events.json.Related;

/**
 * A restore drill: a backup of the instance restored into a scratch server no tenant reaches, checked (every database
 * there, each table's rows as counted when the backup was taken, {@code pg_amcheck}) and removed. The instance itself is
 * not touched.
 */
@Doc("Proves a backup by restoring it: into a scratch server no tenant reaches (never the instance itself), checked — every "
        + "database present, each table's row count as recorded when the backup was taken, pg_amcheck on tables and indexes — "
        + "and removed; the answer says the restore's seconds (the measured recovery time) and what was found. With `pointInTime`, "
        + "the instance's WAL archive restored to that time instead, and checked to have reached it.")
@Related(firstExcludesOthers = {"pointInTime", "backup"})
public record VerifyCommand(
        @Doc(value = "Instance whose backup is verified.", required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE)
        String instance,
        @Doc(value = "Namespace; the configured default when absent.", pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE)
        String namespace,
        @Doc(value = "The backup: its backup id, or the restic snapshot id (8 to 64 hex digits) of any of its snapshots. Default: where the instance's WAL is archived, the newest restorable time (the drill's own asking, as with `pointInTime`), else the latest successful backup.",
                pattern = NameRules.BACKUP_ID)
        String backup,
        @Doc(value = "Verify a point in time instead (RFC 3339 with its offset, e.g. `2026-11-30T14:05:00Z`): the instance's WAL archive restored to it in the scratch server, which must reach it (its last replayed commit at or before it, recovery not ended early). Must be inside the recovery window; not with `backup`.",
                pattern = NameRules.TIME_WITH_OFFSET)
        String pointInTime) implements InstanceCommand {

    /** A drill of a backup. */
    public VerifyCommand(String instance, String namespace, String backup) {
        this(instance, namespace, backup, null);
    }
}
