package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;
import java.util.List;

/**
 * Membership of users in a database's group roles. For a database {@code D}, each key is a NOLOGIN
 * group role {@code D_<key>}:
 * <ul>
 *   <li>{@code admin}: owns D; every privilege on every schema and object of D;</li>
 *   <li>{@code readonly}: CONNECT, schema USAGE, SELECT on tables, USAGE/SELECT on sequences,
 *       EXECUTE on functions, also on objects created later by admin members;</li>
 *   <li>{@code app}: what {@code readonly} has plus INSERT, UPDATE, DELETE, TRUNCATE and sequence
 *       UPDATE, without creating objects (the reference's high-availability example uses it);</li>
 *   <li>{@code monitoring}: CONNECT and membership of {@code pg_monitor} (the same example).</li>
 * </ul>
 */
@Doc("Users by access level. Each level is a NOLOGIN group role `<database>_<level>`.")
public record DatabaseRoles(
        @Doc(value = "Users that own the database and may do anything in it.", pattern = NameRules.ROLE,
                maxLength = NameRules.MAX_IDENTIFIER, unique = true) List<String> admin,
        @Doc(value = "Users that may read every table, sequence and function, including those created later.", pattern = NameRules.ROLE,
                maxLength = NameRules.MAX_IDENTIFIER, unique = true) List<String> readonly,
        @Doc(value = "Users that may read and write data (no DDL).", pattern = NameRules.ROLE,
                maxLength = NameRules.MAX_IDENTIFIER, unique = true) List<String> app,
        @Doc(value = "Users that may connect and read monitoring views (pg_monitor).", pattern = NameRules.ROLE,
                maxLength = NameRules.MAX_IDENTIFIER, unique = true) List<String> monitoring) {

    /** The access levels, in the order their roles are granted. */
    public static final String ADMIN = "admin";
    public static final String READONLY = "readonly";
    public static final String APP = "app";
    public static final String MONITORING = "monitoring";
    public static final List<String> LEVELS = List.of(ADMIN, READONLY, APP, MONITORING);

    /** Members of the level with that name, never {@code null}. */
    public List<String> members(String level) {
        List<String> members = switch (level) {
            case "admin" -> admin;
            case "readonly" -> readonly;
            case "app" -> app;
            case "monitoring" -> monitoring;
            default -> throw new IllegalArgumentException("unknown access level " + level);
        };
        return members == null ? List.of() : members;
    }
}
