package io.pgfleet.usermanager.sql;

import io.pgfleet.runtime.cluster.Endpoint;
import io.pgfleet.usermanager.sql.Catalog.DatabaseState;
import io.pgfleet.usermanager.sql.Catalog.RoleState;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Reads what {@link AccessPlanner} compares against, as the superuser. */
public final class CatalogReader {

    private static final String ROLES = """
            SELECT r.rolname, r.rolcanlogin, r.rolreplication, r.rolsuper, a.rolpassword,
                   ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid)
            FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid""";
    private static final String DATABASES = """
            SELECT d.datname, pg_get_userbyid(d.datdba),
                   ARRAY(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END || '|' || a.privilege_type
                         FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a)
            FROM pg_database d WHERE NOT d.datistemplate""";
    private static final String DEFAULT_PRIVILEGES = """
            SELECT pg_get_userbyid(d.defaclrole) || '|' || d.defaclobjtype::text || '|'
                   || CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END || '|' || a.privilege_type
            FROM pg_default_acl d, aclexplode(d.defaclacl) a WHERE d.defaclnamespace = 0""";
    private static final String SCHEMAS = "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'";

    private CatalogReader() {
    }

    /** Roles and databases, with the details of every database. */
    public static Catalog readAll(Endpoint endpoint) throws SQLException {
        return read(endpoint, null);
    }

    /** Roles and databases, with the details of the databases named ({@code null}: all). */
    public static Catalog read(Endpoint endpoint, Collection<String> detailed) throws SQLException {
        Map<String, RoleState> roles = new HashMap<>();
        Map<String, String[]> databases = new HashMap<>();
        try (Connection connection = connect(endpoint, AccessPlanner.MAINTENANCE_DB); Statement sql = connection.createStatement()) {
            try (ResultSet rows = sql.executeQuery(ROLES)) {
                while (rows.next()) {
                    roles.put(rows.getString(1), new RoleState(rows.getString(1), rows.getBoolean(2), rows.getBoolean(3), rows.getBoolean(4),
                            strings(rows.getArray(6)), rows.getString(5)));
                }
            }
            try (ResultSet rows = sql.executeQuery(DATABASES)) {
                while (rows.next()) {
                    String[] grants = (String[]) rows.getArray(3).getArray();
                    String[] entry = new String[grants.length + 1];
                    entry[0] = rows.getString(2);
                    System.arraycopy(grants, 0, entry, 1, grants.length);
                    databases.put(rows.getString(1), entry);
                }
            }
        }
        Map<String, DatabaseState> states = new HashMap<>();
        for (Map.Entry<String, String[]> database : databases.entrySet()) {
            String name = database.getKey();
            Set<String> grants = Set.copyOf(Arrays.asList(database.getValue()).subList(1, database.getValue().length));
            Set<String> extensions = Set.of();
            Set<String> schemas = Set.of();
            Set<String> defaults = Set.of();
            if (detailed == null || detailed.contains(name)) {
                try (Connection connection = connect(endpoint, name); Statement sql = connection.createStatement()) {
                    extensions = column(sql, "SELECT extname FROM pg_extension");
                    schemas = column(sql, SCHEMAS);
                    defaults = column(sql, DEFAULT_PRIVILEGES);
                }
            }
            states.put(name, new DatabaseState(name, database.getValue()[0], grants, extensions, schemas, defaults));
        }
        return new Catalog(roles, states);
    }

    /** A superuser connection to a database of the instance. */
    public static Connection connect(Endpoint endpoint, String database) throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", endpoint.user());
        properties.setProperty("password", endpoint.password());
        properties.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(endpoint.jdbcUrl(database), properties);
    }

    private static Set<String> column(Statement sql, String query) throws SQLException {
        Set<String> values = new HashSet<>();
        try (ResultSet rows = sql.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    private static Set<String> strings(Array array) throws SQLException {
        return Set.copyOf(Arrays.asList((String[]) array.getArray()));
    }
}
