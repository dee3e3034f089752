package io.pgfleet.usermanager.command;

import io.pgfleet.events.postgres.DatabaseRoles;

/** The group roles a database gets, so that no user takes one of their names. */
final class DatabaseGroups {

    private DatabaseGroups() {
    }

    static boolean isGroupOf(String role, String database) {
        return DatabaseRoles.LEVELS.stream().anyMatch(level -> role.equals(database + "_" + level));
    }
}
