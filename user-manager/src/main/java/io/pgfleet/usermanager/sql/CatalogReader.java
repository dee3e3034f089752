package io.pgfleet.usermanager.sql;

import io.pgfleet.usermanager.plan.AccessPlanner;
import io.pgfleet.usermanager.plan.Catalog;

import io.pgfleet.clusters.Endpoint;
import io.pgfleet.usermanager.plan.Catalog.DatabaseState;
import io.pgfleet.usermanager.plan.Catalog.RoleState;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads what {@link AccessPlanner} compares against, as the superuser. Its sessions fix their search path
 * ({@link io.pgfleet.clusters.TenantSession}) and its SQL names every catalogue table and function with its schema, so
 * nothing a tenant made in its database runs here.
 */
public final class CatalogReader {

    private static final String ROLES = """
            SELECT r.rolname, r.rolcanlogin, r.rolreplication, r.rolsuper, a.rolpassword,
                   ARRAY(SELECT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid)
            FROM pg_catalog.pg_roles r JOIN pg_catalog.pg_authid a ON a.oid = r.oid""";
    private static final String DATABASES = """
            SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba),
                   ARRAY(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END || '|' || a.privilege_type
                         FROM pg_catalog.aclexplode(coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) a),
                   ARRAY(SELECT pg_catalog.pg_get_userbyid(s.setrole) || '|' || pg_catalog.substr(c, 6)
                         FROM pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) c WHERE s.setdatabase = d.oid AND c LIKE 'role=%')
            FROM pg_catalog.pg_database d WHERE NOT d.datistemplate""";
    private static final String DEFAULT_PRIVILEGES = """
            SELECT pg_catalog.pg_get_userbyid(d.defaclrole) || '|' || d.defaclobjtype::text || '|'
                   || CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END || '|' || a.privilege_type
            FROM pg_catalog.pg_default_acl d, pg_catalog.aclexplode(d.defaclacl) a WHERE d.defaclnamespace = 0""";
    private static final String SCHEMAS = "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'";
    /** A database's own details in one round trip: kind (e extension, s schema, d default privilege) and value. */
    private static final String DETAILS = "SELECT 'e', extname::text FROM pg_catalog.pg_extension UNION ALL SELECT 's', nspname::text FROM ("
            + SCHEMAS + ") s UNION ALL SELECT 'd', p FROM (" + DEFAULT_PRIVILEGES + ") d(p)";
    /** Databases read at the same time: connection set-up (fork, authentication) dominates, not the queries. */
    private static final int PARALLEL = 4;
    /** The threads that read databases side by side, shared by every read (kept a minute after use, not made per read). */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "catalog-reader");
        thread.setDaemon(true);
        return thread;
    });

    private CatalogReader() {
    }

    /** Roles and databases, with the details of every database. */
    public static Catalog readAll(InstanceConnections connections, Endpoint endpoint) throws SQLException {
        return read(connections, endpoint, null);
    }

    /** Roles and databases, with the details of the databases named ({@code null}: all). */
    public static Catalog read(InstanceConnections connections, Endpoint endpoint, Collection<String> detailed) throws SQLException {
        Map<String, RoleState> roles = new HashMap<>();
        Map<String, String[]> databases = new HashMap<>();
        Map<String, Set<String>> sessionRoles = new HashMap<>();
        try (InstanceConnections.Lease lease = connections.open(endpoint, AccessPlanner.MAINTENANCE_DB);
             Statement sql = lease.connection().createStatement()) {
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
                    sessionRoles.put(rows.getString(1), strings(rows.getArray(4)));
                }
            }
        }
        List<String> names = databases.keySet().stream().filter(name -> detailed == null || detailed.contains(name)).toList();
        Map<String, Details> details = details(connections, endpoint, names);
        Map<String, DatabaseState> states = new HashMap<>();
        for (Map.Entry<String, String[]> database : databases.entrySet()) {
            String name = database.getKey();
            Set<String> grants = Set.copyOf(Arrays.asList(database.getValue()).subList(1, database.getValue().length));
            Details own = details.getOrDefault(name, Details.NONE);
            states.put(name, new DatabaseState(name, database.getValue()[0], grants, own.extensions(), own.schemas(), own.defaults(),
                    sessionRoles.getOrDefault(name, Set.of())));
        }
        return new Catalog(roles, states);
    }

    private record Details(Set<String> extensions, Set<String> schemas, Set<String> defaults) {
        static final Details NONE = new Details(Set.of(), Set.of(), Set.of());
    }

    private static Map<String, Details> details(InstanceConnections connections, Endpoint endpoint, List<String> names) throws SQLException {
        Map<String, Details> details = new ConcurrentHashMap<>();
        if (names.isEmpty()) {
            return details;
        }
        // At most PARALLEL reads at once: the names are dealt to that many tasks, each reading its share in turn.
        int tasks = Math.min(PARALLEL, names.size());
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (int task = 0; task < tasks; task++) {
                List<String> share = new ArrayList<>();
                for (int i = task; i < names.size(); i += tasks) {
                    share.add(names.get(i));
                }
                reads.add(READERS.submit(() -> {
                    for (String name : share) {
                        details.put(name, details(connections, endpoint, name));
                    }
                    return null;
                }));
            }
            for (Future<?> read : reads) {
                read.get();
            }
            return details;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while reading the catalog", "08006", e);
        }
    }

    private static Details details(InstanceConnections connections, Endpoint endpoint, String database) throws SQLException {
        Set<String> extensions = new HashSet<>();
        Set<String> schemas = new HashSet<>();
        Set<String> defaults = new HashSet<>();
        try (InstanceConnections.Lease lease = connections.open(endpoint, database); Statement sql = lease.connection().createStatement();
             ResultSet rows = sql.executeQuery(DETAILS)) {
            while (rows.next()) {
                switch (rows.getString(1)) {
                    case "e" -> extensions.add(rows.getString(2));
                    case "s" -> schemas.add(rows.getString(2));
                    default -> defaults.add(rows.getString(2));
                }
            }
        }
        return new Details(Set.copyOf(extensions), Set.copyOf(schemas), Set.copyOf(defaults));
    }

    private static Set<String> strings(Array array) throws SQLException {
        return Set.copyOf(Arrays.asList((String[]) array.getArray()));
    }
}
