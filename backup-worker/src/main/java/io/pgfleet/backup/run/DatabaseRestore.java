package io.pgfleet.backup.run;

import io.pgfleet.backup.plan.LoadPlan;
import io.pgfleet.backup.plan.StagedDatabase;
import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.backup.run.PgTools.Section;
import io.pgfleet.clusters.Endpoint;
import java.io.IOException;
import java.nio.file.Path;
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
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The databases of a backup restored into an instance, each into a staging database beside the one it replaces, in the
 * parts {@link LoadPlan} gives: its schema by the superuser; the data of the tables a tenant's role owns in sessions
 * authenticated as a temporary login role that is a member of that owner only (so a {@code CHECK}, a domain or a generated
 * column the tenant wrote runs with the owner's rights, never pgfleet's); the rest of the data, then indexes, constraints,
 * triggers and grants, by the superuser (PostgreSQL runs index expressions and materialized views as their table's owner,
 * in a security-restricted operation). The temporary roles are dropped afterwards, and by a retry of the same job before
 * it makes them again; they cannot log in a day after they were made, should nothing be left to drop them.
 *
 * <p>Once every staging database is whole, one transaction gives each its target's name, the targets renamed aside (then
 * dropped); until then the targets serve as they were, and a restore that fails changes none of them. The database's own
 * properties (comment, grants, settings) follow under its name. The maintenance database, which the services connect to,
 * is restored over itself.
 */
final class DatabaseRestore {

    /** A dump that does not say how to make its database as pg_dump says it, or whose database's properties were refused. */
    static final class Refused extends Exception {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseRestore.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String MAINTENANCE = "postgres";
    /** How often the swap is tried when a session reached a database between its ending and the rename. */
    private static final int SWAP_ATTEMPTS = 5;

    private final Endpoint superuser;
    private final PgTools tools;
    private final BackupFiles files;
    private final String jobId;
    private final Duration timeout;
    private final String loginGroup;

    /** @param loginGroup a role each temporary login joins too (a drill's scratch server admits its members); {@code null}: none */
    DatabaseRestore(Endpoint superuser, PgTools tools, BackupFiles files, String jobId, Duration timeout, String loginGroup) {
        this.loginGroup = loginGroup;
        this.superuser = superuser;
        this.tools = tools;
        this.files = files;
        this.jobId = jobId;
        this.timeout = timeout;
    }

    /** The maintenance database restored over itself from {@code dump}. */
    void restoreInPlace(String dump) throws SQLException, IOException {
        String listing = files.feed(dump, tools.listing(), tools::listing, "reading the contents of " + dump, timeout);
        dropForeignKeys();
        loadInto(MAINTENANCE, MAINTENANCE, listing, dump);
    }

    /**
     * {@code database} loaded from {@code dump} into its staging database, made anew (a killed attempt's is dropped first).
     *
     * @return the dump's listing, which {@link #properties} takes
     */
    String stage(String database, String dump) throws SQLException, IOException, Refused {
        String listing = files.feed(dump, tools.listing(), tools::listing, "reading the contents of " + dump, timeout);
        Path emptyList = files.write("pgfleet-empty-listing", "");
        String sql = files.feed(dump, tools.databaseSql(emptyList), file -> tools.databaseSql(emptyList, file),
                "reading how " + dump + " makes its database", timeout);
        StagedDatabase made;
        try {
            made = StagedDatabase.read(sql, quoted(database));
        } catch (IllegalArgumentException e) {
            throw new Refused("database " + database + " cannot be restored from " + dump + ": " + e.getMessage(), e);
        }
        String staging = StagedDatabase.stagingName(jobId, database);
        List<String> statements = new ArrayList<>(List.of("DROP DATABASE IF EXISTS " + ident(staging) + " WITH (FORCE)",
                made.createStatement(ident(staging))));
        statements.addAll(made.settingStatements(ident(staging)));
        execute(MAINTENANCE, statements.toArray(String[]::new));
        loadInto(staging, database, listing, dump);
        return listing;
    }

    /** Loads the dump into {@code into}, which exists: schema, data (by owner), then indexes, constraints and grants. */
    private void loadInto(String into, String database, String listing, String dump) throws SQLException, IOException {
        String what = "restoring database " + database;
        long start = System.nanoTime();
        load(superuser, into, Section.PRE_DATA, List.of(), dump, what + " (its schema)");
        long schema = System.nanoTime();
        LoadPlan plan = LoadPlan.of(listing, tables(into));
        Path superuserListing = files.write("pgfleet-listing", plan.superuserListing());
        load(superuser, into, Section.DATA, List.of("-L", superuserListing.toString()), dump, what);
        Map<String, Endpoint> logins = new LinkedHashMap<>();
        try {
            for (String owner : plan.owners()) {
                logins.put(owner, login(into, database, owner, logins.size()));
            }
            for (LoadPlan.Load part : plan.loads()) {
                Endpoint as = part.owner() == null ? superuser : logins.get(part.owner());
                load(as, into, Section.DATA, part.selection(), dump, what + " (tables of " + part.schema() + ")");
            }
        } finally {
            for (Endpoint login : logins.values()) {
                drop(into, login.user());
            }
        }
        long data = System.nanoTime();
        load(superuser, into, Section.POST_DATA, List.of(), dump, what + " (its indexes, constraints and grants)");
        LOG.info("database {} loaded into {} in {} ms: schema {} ms, data {} ms, indexes, constraints and grants {} ms", database, into,
                (System.nanoTime() - start) / 1_000_000, (schema - start) / 1_000_000, (data - schema) / 1_000_000,
                (System.nanoTime() - data) / 1_000_000);
    }

    /**
     * Drops the staging databases and the renamed-aside ones a killed attempt of this job left for these databases: the
     * staging ones never served, and the renamed-aside ones were replaced, as the restore asked.
     */
    void dropLeftovers(List<String> databases) throws SQLException {
        List<String> drops = new ArrayList<>();
        for (String database : databases) {
            drops.add("DROP DATABASE IF EXISTS " + ident(StagedDatabase.stagingName(jobId, database)) + " WITH (FORCE)");
            drops.add("DROP DATABASE IF EXISTS " + ident(StagedDatabase.replacedName(jobId, database)) + " WITH (FORCE)");
        }
        execute(MAINTENANCE, drops.toArray(String[]::new));
    }

    /**
     * In one transaction, each staging database takes its target's name, the target (where there is one) renamed aside;
     * then the renamed-aside ones are dropped. The sessions of both end first, as {@code DROP DATABASE … WITH (FORCE)}
     * ends them.
     */
    void swap(List<String> databases) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = InstanceCatalog.connect(superuser, MAINTENANCE)) {
                try (PreparedStatement terminate = connection.prepareStatement("SELECT pg_catalog.pg_terminate_backend(pid) "
                        + "FROM pg_catalog.pg_stat_activity WHERE datname = ANY (?) AND pid <> pg_catalog.pg_backend_pid()")) {
                    List<String> names = new ArrayList<>(databases);
                    databases.forEach(database -> names.add(StagedDatabase.stagingName(jobId, database)));
                    terminate.setArray(1, connection.createArrayOf("text", names.toArray()));
                    terminate.executeQuery().close();
                }
                connection.setAutoCommit(false);
                try (Statement sql = connection.createStatement()) {
                    for (String database : databases) {
                        if (exists(connection, database)) {
                            sql.execute("ALTER DATABASE " + ident(database) + " RENAME TO " + ident(StagedDatabase.replacedName(jobId, database)));
                        }
                        sql.execute("ALTER DATABASE " + ident(StagedDatabase.stagingName(jobId, database)) + " RENAME TO " + ident(database));
                    }
                    connection.commit();
                    break;
                } catch (SQLException e) {
                    connection.rollback();
                    // 55006: a session reached a database between its ending and the rename
                    if (!"55006".equals(e.getSQLState()) || attempt == SWAP_ATTEMPTS) {
                        throw e;
                    }
                }
            }
        }
        List<String> drops = new ArrayList<>();
        databases.forEach(database -> drops.add("DROP DATABASE IF EXISTS " + ident(StagedDatabase.replacedName(jobId, database)) + " WITH (FORCE)"));
        execute(MAINTENANCE, drops.toArray(String[]::new));
    }

    /**
     * The database's own properties from the dump — its comment, grants, settings (and settings of roles in it) — restored
     * onto the database that now has its name.
     */
    void properties(String database, String dump, String listing) throws IOException, Refused {
        String own = listing.lines().filter(line -> line.matches("^\\d+; \\d+ \\d+ (COMMENT|ACL|SECURITY LABEL) - DATABASE .*"))
                .collect(Collectors.joining("\n"));
        Path list = files.write("pgfleet-properties", own + "\n");
        Pipeline.Stage restore = tools.properties(superuser, list);
        Pipeline.Result result = files.attempt(dump, restore, file -> PgTools.onFile(restore, file), timeout);
        int last = result.exitCodes().size() - 1;
        if (!PgTools.onlyTheDatabaseExisted(result.exitCodes().get(last), result.errors().get(last))) {
            throw new Refused("database " + database + " was restored, but its comment, grants and settings were not: "
                    + Objects.requireNonNullElse(result.failure(), result.errors().get(last)), null);
        }
    }

    private static boolean exists(Connection connection, String database) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
            query.setString(1, database);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** The name as the server quotes it, which is how pg_dump quotes it. */
    private String quoted(String name) throws SQLException {
        try (Connection connection = InstanceCatalog.connect(superuser, MAINTENANCE);
             PreparedStatement query = connection.prepareStatement("SELECT pg_catalog.quote_ident(?)")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
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

    /** A temporary login role, member of {@code owner} only, that may connect to {@code into} for a day. */
    private Endpoint login(String into, String database, String owner, int index) throws SQLException {
        String name = roleName(jobId, database, index);
        drop(into, name);
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        execute(MAINTENANCE, "CREATE ROLE " + ident(name) + " LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                + "NOBYPASSRLS CONNECTION LIMIT 8 PASSWORD '" + password + "' VALID UNTIL '" + Instant.now().plus(Duration.ofDays(1)) + "'",
                "GRANT " + ident(owner) + " TO " + ident(name),
                "GRANT CONNECT ON DATABASE " + ident(into) + " TO " + ident(name));
        if (loginGroup != null) {
            execute(MAINTENANCE, "GRANT " + ident(loginGroup) + " TO " + ident(name));
        }
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
        return "pgfleet_load_" + StagedDatabase.jobDigest(jobId, database) + "_" + index;
    }

    private static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
