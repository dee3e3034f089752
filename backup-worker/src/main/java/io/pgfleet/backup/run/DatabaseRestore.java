package io.pgfleet.backup.run;

import io.pgfleet.backup.plan.LoadPlan;
import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.backup.run.PgTools.Section;
import io.pgfleet.clusters.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One database of a backup restored into an instance, in the parts {@link LoadPlan} gives: its schema by the superuser;
 * the data of the tables a tenant's role owns in sessions authenticated as a temporary login role that is a member of
 * that owner only (so a {@code CHECK}, a domain or a generated column the tenant wrote runs with the owner's rights,
 * never pgfleet's); the rest of the data, then indexes, constraints, triggers and grants, by the superuser (PostgreSQL
 * runs index expressions and materialized views as their table's owner, in a security-restricted operation). The
 * temporary roles are dropped afterwards, and by a retry of the same job before it makes them again; they cannot log in
 * a day after they were made, should nothing be left to drop them.
 */
final class DatabaseRestore {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String MAINTENANCE = "postgres";

    private final Endpoint superuser;
    private final PgTools tools;
    private final BackupFiles files;
    private final String jobId;
    private final Duration timeout;

    DatabaseRestore(Endpoint superuser, PgTools tools, BackupFiles files, String jobId, Duration timeout) {
        this.superuser = superuser;
        this.tools = tools;
        this.files = files;
        this.jobId = jobId;
        this.timeout = timeout;
    }

    /** Restores {@code database} from {@code dump}, a file of the backup: over itself for the maintenance database, else anew. */
    void restore(String database, String dump) throws SQLException, IOException {
        String what = "restoring database " + database;
        String listing = files.feed(dump, tools.listing(), tools::listing, "reading the contents of " + dump, timeout);
        if (database.equals(MAINTENANCE)) {
            dropForeignKeys();
        } else {
            execute(MAINTENANCE, "DROP DATABASE IF EXISTS " + ident(database) + " WITH (FORCE)");
        }
        load(superuser, database, Section.PRE_DATA, List.of(), dump, what + " (its schema)");
        LoadPlan plan = LoadPlan.of(listing, tables(database));
        Path superuserListing = files.write("pgfleet-listing", plan.superuserListing());
        load(superuser, database, Section.DATA, List.of("-L", superuserListing.toString()), dump, what);
        Map<String, Endpoint> logins = new LinkedHashMap<>();
        try {
            for (String owner : plan.owners()) {
                logins.put(owner, login(database, owner, logins.size()));
            }
            for (LoadPlan.Load part : plan.loads()) {
                Endpoint as = part.owner() == null ? superuser : logins.get(part.owner());
                load(as, database, Section.DATA, part.selection(), dump, what + " (tables of " + part.schema() + ")");
            }
        } finally {
            for (Endpoint login : logins.values()) {
                drop(database, login.user());
            }
        }
        load(superuser, database, Section.POST_DATA, List.of(), dump, what + " (its indexes, constraints and grants)");
    }

    private void load(Endpoint as, String database, Section section, List<String> selection, String dump, String what) {
        Pipeline.Stage restore = tools.restore(as, database, section, selection);
        files.feed(dump, restore, file -> PgTools.fromFile(restore, file), what, timeout);
    }

    /**
     * Foreign keys of the maintenance database, dropped before its schema is replaced: the dump's own drops are of the
     * schema only, and a table another one refers to cannot be dropped. The dump's post-data part makes them again.
     */
    private void dropForeignKeys() throws SQLException {
        List<String> drops = new ArrayList<>();
        try (Connection connection = InstanceCatalog.connect(superuser, MAINTENANCE); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', "
                     + "c.conrelid::pg_catalog.regclass, c.conname) FROM pg_catalog.pg_constraint c "
                     + "JOIN pg_catalog.pg_class t ON t.oid = c.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
                     + "WHERE c.contype = 'f' AND c.conparentid = 0 AND n.nspname NOT IN ('pg_catalog', 'information_schema')")) {
            while (rows.next()) {
                drops.add(rows.getString(1));
            }
            for (String drop : drops) {
                sql.execute(drop);
            }
        }
    }

    /** The tables of the restored schema, with the role whose rights load each (the database's owner for pg_database_owner). */
    private List<LoadPlan.Table> tables(String database) throws SQLException {
        List<LoadPlan.Table> tables = new ArrayList<>();
        try (Connection connection = InstanceCatalog.connect(superuser, database); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT n.nspname, c.relname, o.rolname, o.rolsuper FROM pg_catalog.pg_class c "
                     + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                     + "JOIN pg_catalog.pg_database d ON d.datname = pg_catalog.current_database() "
                     + "JOIN pg_catalog.pg_roles o ON o.oid = CASE WHEN c.relowner = 'pg_database_owner'::pg_catalog.regrole "
                     + "THEN d.datdba ELSE c.relowner END "
                     + "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_' "
                     + "ORDER BY n.nspname, c.relname")) {
            while (rows.next()) {
                tables.add(new LoadPlan.Table(rows.getString(1), rows.getString(2), rows.getString(3), rows.getBoolean(4)));
            }
        }
        return tables;
    }

    /** A temporary login role, member of {@code owner} only, that may connect to the database for a day. */
    private Endpoint login(String database, String owner, int index) throws SQLException {
        String name = roleName(jobId, database, index);
        drop(database, name);
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        execute(MAINTENANCE, "CREATE ROLE " + ident(name) + " LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                + "NOBYPASSRLS CONNECTION LIMIT 8 PASSWORD '" + password + "' VALID UNTIL '" + Instant.now().plus(Duration.ofDays(1)) + "'",
                "GRANT " + ident(owner) + " TO " + ident(name),
                "GRANT CONNECT ON DATABASE " + ident(database) + " TO " + ident(name));
        return new Endpoint(superuser.host(), superuser.port(), name, password, superuser.caFile());
    }

    /** Ends a temporary role's sessions, then drops what it owns or was granted in the database, and the role. */
    private void drop(String database, String name) throws SQLException {
        try (Connection connection = InstanceCatalog.connect(superuser, MAINTENANCE);
             PreparedStatement terminate = connection.prepareStatement("SELECT pg_catalog.pg_terminate_backend(a.pid) "
                     + "FROM pg_catalog.pg_stat_activity a WHERE a.usename = ?");
             PreparedStatement role = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
            terminate.setString(1, name);
            terminate.executeQuery().close();
            role.setString(1, name);
            try (ResultSet rows = role.executeQuery()) {
                if (!rows.next()) {
                    return;
                }
            }
        }
        execute(database, "DROP OWNED BY " + ident(name));
        execute(MAINTENANCE, "DROP ROLE IF EXISTS " + ident(name));
    }

    private void execute(String database, String... statements) throws SQLException {
        try (Connection connection = InstanceCatalog.connect(superuser, database); Statement sql = connection.createStatement()) {
            for (String statement : statements) {
                sql.execute(statement);
            }
        }
    }

    /** {@code pgfleet_load_} and a digest of the job, database and owner's place: the same for a retry of the same job. */
    static String roleName(String jobId, String database, int index) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((jobId + "\n" + database).getBytes(StandardCharsets.UTF_8));
            return "pgfleet_load_" + HexFormat.of().formatHex(digest, 0, 8) + "_" + index;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
