package io.pgfleet.events.status;

import io.pgfleet.events.Doc;

/**
 * One problem with a command: where it is and which rule it breaks, e.g.
 * {@code spec.quorum.maxSyncReplicas: must be lower than replicas (3)}.
 *
 * @param path    dotted path of the field in the payload ({@code spec.users.admin.password});
 *                map keys that are not plain identifiers are written {@code ["key"]};
 *                envelope problems use the header name ({@code ce_subject})
 * @param message the rule, with the offending value where it is not a secret
 */
@Doc("One validation error.")
public record FieldError(
        @Doc(value = "Path of the field, e.g. `spec.quorum.maxSyncReplicas`.", required = true) String path,
        @Doc(value = "The rule broken, with the offending value unless it is a secret.", required = true) String message) {

    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
