package io.pgfleet.backup.plan;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The roles part of a backup ({@code pg_dumpall --globals-only}) made fit to run on another instance:
 * statements about a role the instance already has (its superuser, its replication user, users
 * that exist) are left out, so a restore creates the missing roles with their attributes and
 * passwords and never changes an existing one; memberships are granted.
 */
public final class Globals {

    private static final Pattern ROLE_STATEMENT = Pattern.compile("^(?:CREATE ROLE|ALTER ROLE|COMMENT ON ROLE) (\"(?:[^\"]|\"\")+\"|[^ ;]+)");

    private Globals() {
    }

    /** The SQL to run on an instance that has {@code existingRoles}. */
    public static String forInstance(String dump, Set<String> existingRoles) {
        StringBuilder kept = new StringBuilder();
        for (String line : dump.split("\n", -1)) {
            Matcher role = ROLE_STATEMENT.matcher(line);
            if (role.find() && existingRoles.contains(unquote(role.group(1)))) {
                continue;
            }
            kept.append(line).append('\n');
        }
        return kept.toString();
    }

    private static String unquote(String identifier) {
        if (identifier.startsWith("\"")) {
            return identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"");
        }
        return identifier;
    }
}
