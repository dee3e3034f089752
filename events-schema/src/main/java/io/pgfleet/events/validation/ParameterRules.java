package io.pgfleet.events.validation;

import io.pgfleet.events.json.Paths;
import io.pgfleet.events.NameRules;
import java.util.regex.Pattern;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;

/** The rules of {@code spec.postgresql.parameters}: PostgreSQL's own settings, none the cluster manages or that loads code. */
final class ParameterRules {

    private static final Pattern PARAMETER_NAME = Pattern.compile(NameRules.PARAMETER_NAME);
    private static final int MAX_PARAMETER_VALUE = NameRules.MAX_PARAMETER_VALUE;
    private static final Pattern PARAMETER_VALUE = Pattern.compile(NameRules.PARAMETER_VALUE);

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
        } else if (!PARAMETER_VALUE.matcher(text).matches()) {
            errors.add(path, "must not contain control characters such as a line break");
        } else if (name.equals("wal_level") && !text.equals("replica") && !text.equals("logical")) {
            errors.add(path, "must be 'replica' or 'logical' (replicas need at least replica), got '" + text + "'");
        }
    }

    private static final Pattern WAL_SIZE = Pattern.compile("(-?[0-9]{1,15})\\s*(kB|MB|GB|TB)?");

    /**
     * {@code max_slot_wal_keep_size}: the WAL a replication slot may hold back. -1 (no limit) lets one stalled slot fill
     * the member's disk, so a document may set it only between 0 and half of the volume.
     */
    static void checkSlotWalKeep(String path, Object value, String volume, Errors errors) {
        Matcher size = WAL_SIZE.matcher(value.toString().trim());
        if (!size.matches()) {
            errors.add(path, "must be a size such as 512MB or 2GB, got '" + value + "'");
            return;
        }
        long megabytes = Long.parseLong(size.group(1));
        String unit = size.group(2) == null ? "MB" : size.group(2);
        BigDecimal bytes = BigDecimal.valueOf(megabytes).multiply(BigDecimal.valueOf(switch (unit) {
            case "kB" -> 1L << 10;
            case "GB" -> 1L << 30;
            case "TB" -> 1L << 40;
            default -> 1L << 20;
        }));
        BigDecimal half;
        try {
            half = Quantity.bytes(volume).divide(BigDecimal.valueOf(2));
        } catch (IllegalArgumentException e) {
            return; // the size itself is answered where it is checked
        }
        if (megabytes < 0) {
            errors.add(path, "must not be -1 (no limit): one stalled replication slot would fill the volume; at most half of it ("
                    + half.divide(BigDecimal.valueOf(1L << 20), 0, RoundingMode.DOWN) + "MB)");
        } else if (bytes.compareTo(half) > 0) {
            errors.add(path, "must be at most half of the volume (" + half.divide(BigDecimal.valueOf(1L << 20), 0,
                    RoundingMode.DOWN) + "MB of " + volume + "), got '" + value + "'");
        }
    }
}
