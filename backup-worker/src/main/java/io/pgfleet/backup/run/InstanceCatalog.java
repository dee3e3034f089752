package io.pgfleet.backup.run;

import io.pgfleet.clusters.Endpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a backup needs to know of an instance, read in one connection.
 *
 * @param sizes the databases a backup saves (those that take connections, not templates), by name, with their sizes
 * @param roles the instance's roles, {@code pg_*} left out, sorted
 */
record InstanceCatalog(Map<String, Long> sizes, List<String> roles) {

    /** The databases' names, sorted. */
    List<String> databases() {
        return List.copyOf(sizes.keySet());
    }

    static InstanceCatalog read(Endpoint endpoint) throws SQLException {
        Map<String, Long> sizes = new LinkedHashMap<>();
        List<String> roles = new ArrayList<>();
        try (Connection connection = connect(endpoint); Statement sql = connection.createStatement()) {
            try (ResultSet rows = sql.executeQuery("SELECT datname, pg_catalog.pg_database_size(oid) FROM pg_catalog.pg_database "
                    + "WHERE datallowconn AND NOT datistemplate ORDER BY datname")) {
                while (rows.next()) {
                    sizes.put(rows.getString(1), rows.getLong(2));
                }
            }
            try (ResultSet rows = sql.executeQuery("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname")) {
                while (rows.next()) {
                    roles.add(rows.getString(1));
                }
            }
        }
        return new InstanceCatalog(sizes, roles);
    }

    /** Every role name of the instance. */
    static Set<String> roles(Endpoint endpoint) throws SQLException {
        Set<String> names = new HashSet<>();
        try (Connection connection = connect(endpoint); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT rolname FROM pg_catalog.pg_roles")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    static Connection connect(Endpoint endpoint) throws SQLException {
        return connect(endpoint, "postgres");
    }

    /** pgfleet's session on a database of the instance. */
    static Connection connect(Endpoint endpoint, String database) throws SQLException {
        return DriverManager.getConnection(endpoint.sessionUrl(database), endpoint.sessionProperties());
    }
}
