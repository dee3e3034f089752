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

    /** The only meta-commands pg_dumpall writes (since 15.14): they switch psql's meta-commands off and on again. */
    private static final Pattern RESTRICT = Pattern.compile("\\\\(un)?restrict [A-Za-z0-9]+");
    private static final Pattern ROLE_STATEMENT = Pattern.compile("^(?:CREATE ROLE|ALTER ROLE|COMMENT ON ROLE) (\"(?:[^\"]|\"\")+\"|[^ ;]+)");

    private Globals() {
    }

    /**
     * The SQL to run on an instance that has {@code existingRoles}.
     *
     * @throws IllegalArgumentException when a line is a psql meta-command ({@code \\connect}, {@code \\!} ...) other than
     *                                  pg_dumpall's {@code \\restrict}/{@code \\unrestrict} guard (dropped): the roles are SQL run
     *                                  through JDBC
     */
    public static String forInstance(String dump, Set<String> existingRoles) {
        StringBuilder kept = new StringBuilder();
        String[] lines = dump.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].stripLeading().startsWith("\\") && !RESTRICT.matcher(lines[i]).matches()) {
                throw new IllegalArgumentException("the roles' SQL holds a psql meta-command at line " + (i + 1) + "; it is not run");
            }
        }
        for (String line : lines) {
            if (RESTRICT.matcher(line).matches()) {
                continue; // pg_dumpall's guard for psql (\\restrict, \\unrestrict): nothing to run through JDBC
            }
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
