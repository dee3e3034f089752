package io.pgfleet.events.validation;

import io.pgfleet.events.json.Paths;
import java.util.regex.Pattern;

/** The rules of {@code spec.postgresql.parameters}: PostgreSQL's own settings, none the cluster manages or that loads code. */
final class ParameterRules {

    private static final Pattern PARAMETER_NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?");
    private static final int MAX_PARAMETER_VALUE = 1024;

    private ParameterRules() {
    }


    static void check(String path, String name, Object value, ValidationPolicy policy, Errors errors) {
        if (!PARAMETER_NAME.matcher(name).matches()) {
            errors.add(path, Paths.quote(name) + " is not a valid setting name: lower-case letters, digits "
                    + "and '_', with at most one '.' for extension settings");
            return;
        }
        if (ManagedParameters.isManaged(name)) {
            errors.add(path, "'" + name + "' is managed by the cluster itself and may not be set");
            return;
        }
        if (SettingsCatalogue.isUnsafe(name)) {
            errors.add(path, "'" + name + "' makes the server load code or read files named in the document, so it may not be set");
            return;
        }
        int dot = name.indexOf('.');
        if (dot >= 0) {
            String prefix = name.substring(0, dot);
            if (policy.allowedExtensions().stream().noneMatch(extension -> extension.replace('-', '_').equals(prefix))) {
                errors.add(path, "'" + name + "' is not a setting of an allowed extension (allowed: " + policy.allowedExtensionsText() + ")");
                return;
            }
        } else if (SettingsCatalogue.find(name).isEmpty()) {
            errors.add(path, "'" + name + "' is not a PostgreSQL " + SettingsCatalogue.MAJOR + " configuration setting"
                    + SettingsCatalogue.nearest(name).map(near -> "; did you mean '" + near + "'?").orElse(""));
            return;
        }
        if (!(value instanceof String) && !(value instanceof Number) && !(value instanceof Boolean)) {
            errors.add(path, "must be a string, a number or a boolean");
            return;
        }
        String text = value.toString();
        if (text.isEmpty() || text.length() > MAX_PARAMETER_VALUE) {
            errors.add(path, "must be 1 to " + MAX_PARAMETER_VALUE + " characters long");
        } else if (text.chars().anyMatch(c -> c < 0x20)) {
            errors.add(path, "must not contain control characters such as a line break");
        } else if (name.equals("wal_level") && !text.equals("replica") && !text.equals("logical")) {
            errors.add(path, "must be 'replica' or 'logical' (replicas need at least replica), got '" + text + "'");
        }
    }
}
