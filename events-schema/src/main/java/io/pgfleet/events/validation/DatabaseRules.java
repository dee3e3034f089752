package io.pgfleet.events.validation;

import static io.pgfleet.events.json.Paths.index;

import io.pgfleet.events.json.Paths;
import io.pgfleet.events.postgres.Database;
import io.pgfleet.events.postgres.DatabaseRoles;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The rules of one entry of {@code spec.databases}, and of extension names. */
final class DatabaseRules {

    private DatabaseRules() {
    }


    static void check(String path, String name, Database database, Set<String> users, ValidationPolicy policy, Errors errors) {
        Names.checkDatabaseName(name).ifPresent(rule -> errors.add(path, rule));
        if (database.roles() != null) {
            for (String level : DatabaseRoles.LEVELS) {
                List<String> members = database.roles().members(level);
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < members.size(); i++) {
                    String member = members.get(i);
                    String memberPath = index(path + ".roles." + level, i);
                    if (!users.contains(member)) {
                        errors.add(memberPath, "'" + member + "' is not a user declared in spec.users");
                    } else if (!seen.add(member)) {
                        errors.add(memberPath, "'" + member + "' is listed twice");
                    }
                }
            }
        }
        if (database.extensions() != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < database.extensions().size(); i++) {
                String extension = database.extensions().get(i);
                String extensionPath = index(path + ".extensions", i);
                if (!seen.add(extension)) {
                    errors.add(extensionPath, "'" + extension + "' is listed twice");
                } else {
                    checkExtension(extensionPath, extension, policy, errors);
                }
            }
        }
    }

    static void checkExtension(String path, String extension, ValidationPolicy policy, Errors errors) {
        if (!policy.allowedExtensions().contains(extension)) {
            errors.add(path, Paths.quote(extension) + " is not an allowed extension (allowed: "
                    + policy.allowedExtensionsText() + ")");
        }
    }
}
