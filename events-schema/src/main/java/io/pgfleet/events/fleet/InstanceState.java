package io.pgfleet.events.fleet;

import io.pgfleet.events.Doc;
import java.time.Instant;
import java.util.List;
import io.pgfleet.events.SchemaIds;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest state of one instance as the three services see it, one record per instance on the compacted topic
 * {@code pgfleet.instances} (key: the instance key; a tombstone once the instance is deleted). A consumer that reads the
 * topic from its start knows the whole fleet. It never carries a password or a key.
 *
 * <p>Each service contributes its part (the provisioner: phase, members and endpoints; the user-manager: users and
 * databases; the backup-worker: backups and the recovery window); a part a service has not told yet is absent.
 */
@Doc("The latest state of an instance as the provisioner, the user-manager and the backup-worker see it.")
public record InstanceState(
        @Doc(value = "Instance key `<namespace>/<name>`.", required = true) String instance,
        @Doc("The provisioner's phase: PROGRESSING, READY, DEGRADED, FAILED or DELETING.") String phase,
        @Doc("The provisioner's message, e.g. `3 of 3 members ready`.") String message,
        @Doc("Members the instance should have.") Integer membersDesired,
        @Doc("Members ready: the primary running, standbys streaming.") Integer membersReady,
        @Doc("The member that is the primary, when one is.") String primary,
        @Doc("The members, primary first.") List<MemberState> members,
        @Doc("`host:port,...` of every member, to connect with `target_session_attrs=read-write` (reaches the primary, after a failover too).")
        String primaryHosts,
        @Doc("Login users as the instance has them (no password, no verifier).") List<UserState> users,
        @Doc("Databases as the instance has them.") List<DatabaseState> databases,
        @Doc("Backups and the point-in-time recovery window.") BackupState backup,
        @Doc("When the provisioner, user-manager and backup-worker parts were last read, by service.") Map<String, Instant> updated,
        @Doc("The connection pools (`spec.pooler`): where clients connect and whether each serves.") List<PoolerState> poolers) {

    /** One of the instance's connection pools. */
    @Doc("A connection pool of the instance (PgBouncer).")
    public record PoolerState(
            @Doc(value = "`rw` (leads to the primary) or `ro` (to a standby).", required = true) String pool,
            @Doc("Host name or address clients connect to.") String host,
            @Doc("Its port.") Integer port,
            @Doc("running, stopped (configured, not running) or waiting (no member to lead to yet).") String state) {
    }

    /** A member of the instance. */
    @Doc("A member of the instance.")
    public record MemberState(
            @Doc(value = "Member name, e.g. `postgres-ha-2`.", required = true) String name,
            @Doc(value = "primary or replica.", required = true) String role,
            @Doc("running, streaming, stopped, creating, not ready ...") String state,
            @Doc("Host name or address.") String host,
            @Doc("PostgreSQL port.") Integer port,
            @Doc("For a standby: sync, quorum, potential or async.") String syncState,
            @Doc("For a standby: WAL bytes it has still to replay.") Long lagBytes) {
    }

    /** A login user. */
    @Doc("A login user of the instance.")
    public record UserState(
            @Doc(value = "Role name.", required = true) String name,
            @Doc("Roles it is a member of (the access levels it was granted, e.g. `myapp_admin`).") List<String> memberOf) {
    }

    /** A database. */
    @Doc("A database of the instance.")
    public record DatabaseState(
            @Doc(value = "Database name.", required = true) String name,
            @Doc("Its owner.") String owner,
            @Doc("Extensions created in it.") List<String> extensions) {
    }

    /** Backups of the instance. */
    @Doc("The instance's backups as the backup-worker sees them.")
    public record BackupState(
            @Doc(value = "Whether scheduled backups are on.", required = true) boolean enabled,
            @Doc("Cron schedule (UTC).") String schedule,
            @Doc("Id of the newest successful backup still kept.") String lastBackup,
            @Doc("When it ended.") Instant lastBackupAt,
            @Doc("The earliest time a point-in-time restore reaches (WAL archive), when the instance archives.") Instant recoverableFrom,
            @Doc("The newest restore drill's outcome (`verify`): SUCCEEDED or FAILED.") String lastDrill,
            @Doc("When the newest successful restore drill ended.") Instant lastVerifiedAt,
            @Doc("How long that drill's restore took, in seconds: the measured recovery time.") Double lastRestoreSeconds) {

        /** Without restore drills. */
        public BackupState(boolean enabled, String schedule, String lastBackup, Instant lastBackupAt, Instant recoverableFrom) {
            this(enabled, schedule, lastBackup, lastBackupAt, recoverableFrom, null, null, null);
        }
    }

    /** The CloudEvents type of its records. */
    public static final String CE_TYPE = "io.pgfleet.instance.v1";
    /** The default topic (compacted). */
    public static final String DEFAULT_TOPIC = "pgfleet.instances";
    /** The file name of its JSON Schema. */
    public static final String SCHEMA_FILE = "instance.schema.json";
    /** The CloudEvents {@code dataschema} of its records. */
    public static final URI DATA_SCHEMA = SchemaIds.id("v1", SCHEMA_FILE);

    /** This state with {@code part}'s fields laid over it: what a service says replaces what it said before. */
    public InstanceState with(InstanceState part) {
        return new InstanceState(instance, or(part.phase, phase), or(part.message, message), or(part.membersDesired, membersDesired),
                or(part.membersReady, membersReady), part.phase != null ? part.primary : primary, or(part.members, members),
                part.phase != null ? part.primaryHosts : primaryHosts, or(part.users, users), or(part.databases, databases),
                or(part.backup, backup), merged(updated, part.updated), part.phase != null ? part.poolers : poolers);
    }

    /** The same state with {@code updated} replaced. */
    public InstanceState withUpdated(Map<String, Instant> updated) {
        return new InstanceState(instance, phase, message, membersDesired, membersReady, primary, members, primaryHosts, users, databases,
                backup, updated, poolers);
    }

    private static <T> T or(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    private static Map<String, Instant> merged(Map<String, Instant> a, Map<String, Instant> b) {
        Map<String, Instant> all = new TreeMap<>();
        if (a != null) {
            all.putAll(a);
        }
        if (b != null) {
            all.putAll(b);
        }
        return all;
    }
}
