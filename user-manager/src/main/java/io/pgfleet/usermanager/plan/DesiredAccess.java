package io.pgfleet.usermanager.plan;

import io.pgfleet.events.postgres.Database;
import io.pgfleet.events.postgres.DatabaseRoles;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.postgres.User;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The users and databases an instance should have, without any password: the user-manager's part
 * of a {@code Postgres} document.
 *
 * @param users     login roles by name
 * @param databases databases by name
 */
public record DesiredAccess(Map<String, DesiredUser> users, Map<String, DesiredDatabase> databases) {

    /** A login role. */
    public record DesiredUser(String name, boolean replication, boolean superuser) {
    }

    /**
     * A database.
     *
     * @param members    access level ({@code admin}, {@code readonly}, {@code app}, {@code monitoring}) to users
     * @param extensions extensions to create in it
     */
    public record DesiredDatabase(String name, Map<String, List<String>> members, List<String> extensions) {

        /** The group role of a level: {@code <database>_<level>}. */
        public String group(String level) {
            return name + "_" + level;
        }

        /** The levels whose group role this database has: admin and readonly always, app and monitoring when used. */
        public List<String> levels() {
            return DatabaseRoles.LEVELS.stream()
                    .filter(l -> l.equals("admin") || l.equals("readonly") || !members.getOrDefault(l, List.of()).isEmpty()).toList();
        }
    }

    public DesiredAccess {
        users = new TreeMap<>(users);
        databases = new TreeMap<>(databases);
    }

    /** The access part of a document. */
    public static DesiredAccess of(PostgresSpec spec) {
        PostgresSpec effective = spec.effective();
        Map<String, DesiredUser> users = new LinkedHashMap<>();
        effective.users().forEach((name, user) -> users.put(name, user(name, user)));
        Map<String, DesiredDatabase> databases = new LinkedHashMap<>();
        effective.databases().forEach((name, database) -> databases.put(name, database(name, database)));
        return new DesiredAccess(users, databases);
    }

    private static DesiredUser user(String name, User user) {
        return new DesiredUser(name, Boolean.TRUE.equals(user.replication()), Boolean.TRUE.equals(user.superuser()));
    }

    private static DesiredDatabase database(String name, Database database) {
        Map<String, List<String>> members = new LinkedHashMap<>();
        for (String level : DatabaseRoles.LEVELS) {
            List<String> listed = database.roles() == null ? List.of() : database.roles().members(level);
            members.put(level, List.copyOf(listed));
        }
        return new DesiredDatabase(name, members, database.extensions() == null ? List.of() : List.copyOf(database.extensions()));
    }
}
