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
    /** The whole {@link Postgres} document: create or update an instance. */
    PROVISION("provision", Postgres.class),
    /** Change replicas, size or quorum. */
    SCALE("scale", ScaleCommand.class),
    /** Add or update one user. */
    ADD_USER("add-user", AddUserCommand.class),
    /** Create one extension in one database. */
    ADD_EXTENSION("add-extension", AddExtensionCommand.class),
    /** Take a backup now. */
    BACKUP("backup", BackupCommand.class),
    /** Bring a backup back into an instance. */
    RESTORE("restore", RestoreCommand.class),
    /** Remove an instance (backups are kept). */
    DELETE("delete", DeleteCommand.class),
    /** Make a standby the primary on purpose. */
    SWITCHOVER("switchover", SwitchoverCommand.class);

    /** Version of the payloads this code reads and writes. */
    public static final String VERSION = "v1";
    private static final String TYPE_PREFIX = "io.pgfleet.command.";

    private final String id;
    private final Class<?> payloadType;

    CommandType(String id, Class<?> payloadType) {
        this.id = id;
        this.payloadType = payloadType;
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
