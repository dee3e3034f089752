package io.pgfleet.events.status;

import io.pgfleet.events.Doc;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import io.pgfleet.events.SchemaIds;
import java.net.URI;

/**
 * What a service says about a command or an instance, published on the status topic. Each event has
 * its own CloudEvents id; consumers dedupe on it. It never carries a password, an S3 key or a
 * restic password.
 *
 * @param commandId   the id of the command it answers; {@code null} for observed changes
 * @param instance    the instance key {@code <namespace>/<name>}
 * @param service     {@code provisioner}, {@code user-manager} or {@code backup-worker}
 * @param commandType the command's short name ({@code provision}, {@code scale}, ...); for observed
 *                    events, what they concern ({@code backup} for a scheduled backup), or {@code null}
 * @param phase       where the command or the instance stands
 * @param reason      CamelCase reason, e.g. {@code InstanceReady}, {@code ValidationFailed}
 * @param message     for people
 * @param step        with {@code PROGRESSING}: which step, e.g. "replica 3 of 4 streaming"
 * @param errors      with {@code REJECTED}: every validation error
 * @param details     structured facts (snapshot ids, bytes, durations, member counts)
 * @param time        when the service observed it
 */
@Doc("A status event: the answer to a command, or an observed change of an instance.")
public record StatusEvent(
        @Doc("Id of the command this answers (its ce_id); absent for observed changes.") String commandId,
        @Doc(value = "Instance key `<namespace>/<name>`.", required = true) String instance,
        @Doc(value = "Service that emitted it: provisioner, user-manager or backup-worker.", required = true) String service,
        @Doc("Short name of the command (provision, scale, add-user, add-extension, backup, restore, delete, switchover, verify); for observed "
                + "changes what they concern.")
        String commandType,
        @Doc(value = "ACCEPTED, PROGRESSING, SUCCEEDED, FAILED, REJECTED, or the observed READY, DEGRADED.", required = true) Phase phase,
        @Doc("CamelCase reason, e.g. InstanceReady, ValidationFailed, BackupSucceeded.") String reason,
        @Doc(value = "Human-readable message.", required = true) String message,
        @Doc("With PROGRESSING: the step, e.g. `replica 3 of 4 streaming`.") String step,
        @Doc("With REJECTED: every validation error.") List<FieldError> errors,
        @Doc("Structured facts: snapshot ids, bytes, durations, member counts.") Map<String, Object> details,
        @Doc(value = "When the service observed it (RFC 3339).", required = true) Instant time) {

    /** The CloudEvents type of status events. */
    public static final String CE_TYPE = "io.pgfleet.status.v1";
    /** The default status topic. */
    public static final String DEFAULT_TOPIC = "pgfleet.status";
    /** The file name of its JSON Schema. */
    public static final String SCHEMA_FILE = "status.schema.json";
    /** The CloudEvents {@code dataschema} of status events: their schema's versioned URI. */
    public static final URI DATA_SCHEMA = SchemaIds.id("v1", SCHEMA_FILE);

    /** The status topic of one namespace in tenant mode, e.g. {@code pgfleet.team-a.status}: that tenant's readers read it. */
    public static String tenantTopic(String namespace) {
        return "pgfleet." + namespace + ".status";
    }
}
