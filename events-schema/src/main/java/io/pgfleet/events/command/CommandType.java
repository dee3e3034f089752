package io.pgfleet.events.command;

import io.pgfleet.events.postgres.Postgres;
import java.util.Arrays;
import java.util.Optional;
import io.pgfleet.events.SchemaIds;
import java.net.URI;

/**
 * The commands pgfleet takes, each on its own topic with its own versioned CloudEvents type.
 */
public enum CommandType {
    PROVISION("provision", Postgres.class,
            "Create or update an instance from the whole `Postgres` document."),
    SCALE("scale", ScaleCommand.class,
            "Change an instance's replicas, size or synchronous quorum."),
    ADD_USER("add-user", AddUserCommand.class,
            "Add or update one user of an instance, with its access to databases."),
    ADD_EXTENSION("add-extension", AddExtensionCommand.class,
            "Create one extension in one database of an instance."),
    BACKUP("backup", BackupCommand.class,
            "Take a backup of an instance now."),
    RESTORE("restore", RestoreCommand.class,
            "Bring a backup, or a point in time, back into an instance."),
    DELETE("delete", DeleteCommand.class,
            "Remove an instance (its backups are kept)."),
    SWITCHOVER("switchover", SwitchoverCommand.class,
            "Make a standby of an instance its primary, on purpose."),
    VERIFY("verify", VerifyCommand.class,
            "Prove a backup of an instance by restoring it into a scratch server and checking it (a restore drill).");

    /** Version of the payloads this code reads and writes. */
    public static final String VERSION = "v1";
    private static final String TYPE_PREFIX = "io.pgfleet.command.";

    private final String id;
    private final Class<?> payloadType;
    private final String description;

    CommandType(String id, Class<?> payloadType, String description) {
        this.id = id;
        this.payloadType = payloadType;
        this.description = description;
    }

    /** What the command does, in one sentence (the contract's documents say it). */
    public String description() {
        return description;
    }

    /** Short name used in topics, status events and the CLI, e.g. {@code add-user}. */
    public String id() {
        return id;
    }

    /** The payload record. */
    public Class<?> payloadType() {
        return payloadType;
    }

    /** The CloudEvents {@code type}, e.g. {@code io.pgfleet.command.add-user.v1}. */
    public String ceType() {
        return TYPE_PREFIX + id + "." + VERSION;
    }

    /** The file name of its payload's JSON Schema, e.g. {@code add-user.schema.json}. */
    public String schemaFile() {
        return id + ".schema.json";
    }

    /** The CloudEvents {@code dataschema}: its schema's versioned URI, e.g. {@code https://pgfleet.io/schemas/v1/add-user.schema.json}. */
    public URI dataSchema() {
        return SchemaIds.id(VERSION, schemaFile());
    }

    /** The default topic, e.g. {@code pgfleet.command.add-user}. */
    public String defaultTopic() {
        return "pgfleet.command." + id;
    }

    /**
     * The topic of this type for one namespace in tenant mode, e.g. {@code pgfleet.team-a.command.add-user}:
     * prefixed Kafka ACLs on {@code pgfleet.<namespace>.} decide who may command that namespace.
     */
    public String tenantTopic(String namespace) {
        return "pgfleet." + namespace + ".command." + id;
    }

    /** The command type with that CloudEvents type, if it is one of ours. */
    public static Optional<CommandType> fromCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType().equals(ceType)).findFirst();
    }

    /** The command type with that short name. */
    public static Optional<CommandType> fromId(String id) {
        return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
    }
}
