package io.pgfleet.runtime.job;

import io.pgfleet.events.command.CommandType;
import java.util.Arrays;

/** What a job carries out: a command of one of the types, or work a service starts on its own (a repair). */
public enum JobKind {
    PROVISION(CommandType.PROVISION.id()),
    SCALE(CommandType.SCALE.id()),
    DELETE(CommandType.DELETE.id()),
    SWITCHOVER(CommandType.SWITCHOVER.id()),
    ADD_USER(CommandType.ADD_USER.id()),
    ADD_EXTENSION(CommandType.ADD_EXTENSION.id()),
    BACKUP(CommandType.BACKUP.id()),
    RESTORE(CommandType.RESTORE.id()),
    VERIFY(CommandType.VERIFY.id()),
    /** The provisioner's repair of an instance found degraded. */
    REPAIR("repair");

    private final String id;

    JobKind(String id) {
        this.id = id;
    }

    /** As stored in {@code job.command_type} and named in status events. */
    public String id() {
        return id;
    }

    /** The kind of the jobs that carry out commands of this type. */
    public static JobKind of(CommandType type) {
        return of(type.id());
    }

    /** The kind stored as {@code id}. */
    public static JobKind of(String id) {
        return Arrays.stream(values()).filter(kind -> kind.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no job kind '" + id + "'"));
    }
}
