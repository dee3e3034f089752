package io.pgfleet.clusters.local;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * How PgBouncer looks a client's SCRAM secret up without a password file and without a privileged role: the role
 * {@link PoolerConfig#LOOKUP_ROLE} (login by certificate only, no other right) may call
 * {@code pgfleet_pooler.lookup(name)}, a {@code SECURITY DEFINER} function of the superuser's with a fixed
 * {@code search_path}, in a schema of the superuser's that nobody else may use, in every database (PgBouncer runs its
 * {@code auth_query} in the database the client asks for), {@code template1} included so that a database made later has
 * it. It never answers for a superuser, a replication role, pgfleet's own roles or an expired one: those never log in
 * through the pooler. A schema of that name that is not the superuser's (a tenant's, made first) is refused, never used.
 */
final class PoolerLookup {

    /**
     * The OIDs of every database one can connect to: a database dropped and made again (a restore) is a new one. (OIDs, not
     * names: a name may hold a line break.)
     */
    static final String DATABASES = "SELECT oid::text FROM pg_catalog.pg_database WHERE datallowconn ORDER BY oid";
    private static final String RECORD = "lookup.databases";
    private static final String SCHEMA = PoolerConfig.LOOKUP_SCHEMA;
    private static final String ROLE = PoolerConfig.LOOKUP_ROLE;
    private static final String FUNCTION = """
            CREATE OR REPLACE FUNCTION %1$s.lookup(name text, OUT usename text, OUT passwd text) RETURNS record
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $lookup$
              SELECT a.rolname::text, a.rolpassword FROM pg_catalog.pg_authid a
               WHERE a.rolname = name AND a.rolcanlogin AND NOT a.rolsuper AND NOT a.rolreplication AND NOT a.rolbypassrls
                 AND a.rolname !~ '^(pgfleet_|pg_)' AND (a.rolvaliduntil IS NULL OR a.rolvaliduntil > pg_catalog.now())
            $lookup$""".formatted(SCHEMA);

    private PoolerLookup() {
    }

    /** The databases (OIDs) the lookup was installed in, as {@link #install} recorded them. */
    static List<String> installedIn(Path poolerDir) {
        return LocalFiles.read(poolerDir.resolve(RECORD)).map(text -> text.lines().toList()).orElse(List.of());
    }

    /** Makes the role (or takes every right but login from one of that name) and the function in every database, then records them. */
    static void install(LocalMember primary, Path poolerDir) throws SQLException {
        List<String> oids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (Connection connection = primary.connect("postgres"); Statement sql = connection.createStatement()) {
            boolean exists;
            try (ResultSet role = sql.executeQuery("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '" + ROLE + "'")) {
                exists = role.next();
            }
            sql.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + ROLE
                    + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD NULL CONNECTION LIMIT 100");
            try (ResultSet rows = sql.executeQuery("SELECT oid::text, datname FROM pg_catalog.pg_database WHERE datallowconn ORDER BY oid")) {
                while (rows.next()) {
                    oids.add(rows.getString(1));
                    names.add(rows.getString(2));
                }
            }
        }
        for (String name : names) {
            try (Connection connection = primary.connect(name); Statement sql = connection.createStatement()) {
                try (PreparedStatement owner = connection.prepareStatement(
                        "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
                    owner.setString(1, SCHEMA);
                    try (ResultSet found = owner.executeQuery()) {
                        if (found.next() && !LocalInstance.SUPERUSER.equals(found.getString(1))) {
                            throw new IllegalStateException("schema " + SCHEMA + " in database '" + name + "' belongs to " + found.getString(1)
                                    + ", not to pgfleet: the pooler cannot look clients up there (drop or rename that schema)");
                        }
                    }
                }
                sql.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
                sql.execute("REVOKE ALL ON SCHEMA " + SCHEMA + " FROM PUBLIC");
                sql.execute("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + ROLE);
                sql.execute(FUNCTION);
                sql.execute("REVOKE ALL ON FUNCTION " + SCHEMA + ".lookup(text) FROM PUBLIC");
                sql.execute("GRANT EXECUTE ON FUNCTION " + SCHEMA + ".lookup(text) TO " + ROLE);
            }
        }
        LocalFiles.write(poolerDir.resolve(RECORD), String.join("\n", oids) + "\n", "rw-r--r--");
    }
}
