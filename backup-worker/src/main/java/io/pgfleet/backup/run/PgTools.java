package io.pgfleet.backup.run;

import io.micronaut.context.annotation.Value;
import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.TenantSession;
import io.pgfleet.host.PgBinaries;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashMap;

/**
 * pg_dump, pg_dumpall, pg_restore and psql against an instance's primary, as pipeline stages. The
 * password travels in the environment, never on the command line; a database name reaches {@code -d} only as a quoted
 * {@code dbname='…'}, so a tenant's database called {@code host=elsewhere} is a name, not a connection string.
 * {@code pgfleet.backup.bin-dir} (default: the newest PostgreSQL under /usr/lib/postgresql, or the PATH): where
 * pg_dump, pg_dumpall, pg_restore and psql are taken from.
 */
@Singleton
public class PgTools {

    private final PgBinaries binaries;

    public PgTools(@Value("${pgfleet.backup.bin-dir:}") String binDir) {
        this.binaries = PgBinaries.find(binDir.isBlank() ? Optional.empty() : Optional.of(Path.of(binDir)));
    }

    /**
     * One database in pg_dump's custom format (restorable alone, or in parts) to stdout; uncompressed ({@code -Z0}) when
     * the repository compresses (zlib on one core is slower than the disk; restic's zstd is not, and deduplicates); from the
     * exported {@code snapshot} ({@link TableRows}, whose row counts are then the dump's).
     */
    public Pipeline.Stage dump(Endpoint endpoint, String database, boolean repositoryCompresses, String snapshot) {
        return stage("pg_dump", endpoint, dumpArgs(database, repositoryCompresses, List.of("--snapshot=" + snapshot)));
    }

    /**
     * One database in pg_dump's custom format to a file (uncompressed when the repository compresses), from the exported
     * {@code snapshot} ({@link TableRows}).
     */
    public Pipeline.Stage dump(Endpoint endpoint, String database, Path file, boolean repositoryCompresses, String snapshot) {
        return stage("pg_dump", endpoint, dumpArgs(database, repositoryCompresses, List.of("-f", file.toString(), "--snapshot=" + snapshot)));
    }

    /**
     * {@code pg_amcheck} of every database of a drill's scratch server: each table's heap and each B-tree index checked
     * ({@code amcheck} installed where missing: the server is removed afterwards), {@code jobs} connections at a time.
     */
    public Pipeline.Stage amcheck(Endpoint endpoint, int jobs) {
        return stage("pg_amcheck", endpoint, List.of("--all", "--install-missing", "--no-password", "--jobs=" + Math.max(1, jobs)));
    }

    private static List<String> dumpArgs(String database, boolean repositoryCompresses, List<String> more) {
        List<String> args = new ArrayList<>(List.of("-Fc"));
        if (repositoryCompresses) {
            args.add("-Z0");
        }
        args.addAll(List.of("-d", TenantSession.dbname(database)));
        args.addAll(more);
        return args;
    }

    /** Roles (and tablespaces) as SQL to a file. */
    public Pipeline.Stage dumpGlobals(Endpoint endpoint, Path file) {
        return stage("pg_dumpall", endpoint, List.of("--globals-only", "-l", "postgres", "-f", file.toString()));
    }

    /** The parts of a restore, in order: the schema, the tables' data, then indexes, constraints, triggers and grants. */
    public enum Section { PRE_DATA, DATA, POST_DATA }

    /**
     * {@code pg_restore -l --create} of a dump read from stdin: its table of contents, from the start of the dump only,
     * with the entries about the database itself (its comment, grants, settings).
     */
    public Pipeline.Stage listing() {
        return new Pipeline.Stage(List.of(binaries.tool("pg_restore"), "-l", "--create"), Map.of());
    }

    /** The same, of a file. */
    public Pipeline.Stage listing(Path file) {
        return new Pipeline.Stage(List.of(binaries.tool("pg_restore"), "-l", "--create", file.toString()), Map.of());
    }

    /**
     * One section of a custom-format dump read from stdin, restored as {@code endpoint}'s user into {@code database}, which
     * exists: a staging database made empty from template0, or the maintenance database, where the schema, indexes,
     * constraints and grants replace the dump's objects.
     *
     * @param selection further options choosing the entries ({@code -L file}, {@code -n schema -t table…})
     */
    public Pipeline.Stage restore(Endpoint endpoint, String database, Section section, List<String> selection) {
        List<String> args = new ArrayList<>(List.of("--exit-on-error", "--no-password"));
        if (database.equals("postgres") && section != Section.DATA) {
            args.addAll(List.of("--clean", "--if-exists"));
        }
        args.addAll(List.of(switch (section) {
            case PRE_DATA -> "--section=pre-data";
            case DATA -> "--section=data";
            case POST_DATA -> "--section=post-data";
        }, "-d", TenantSession.dbname(database)));
        args.addAll(selection);
        return stage("pg_restore", endpoint, args);
    }

    /**
     * The SQL {@code pg_restore --create} runs for the dump's database itself ({@code CREATE DATABASE}, its owner, its
     * settings), which it writes whatever the listing {@code emptyList} selects: read from stdin.
     */
    public Pipeline.Stage databaseSql(Path emptyList) {
        return new Pipeline.Stage(List.of(binaries.tool("pg_restore"), "--create", "-L", emptyList.toString(), "-f", "-"), Map.of());
    }

    /** The same, of a file. */
    public Pipeline.Stage databaseSql(Path emptyList, Path file) {
        return new Pipeline.Stage(List.of(binaries.tool("pg_restore"), "--create", "-L", emptyList.toString(), "-f", "-", file.toString()),
                Map.of());
    }

    /**
     * The database's own properties (its comment, grants, settings and owner) restored onto the database of its name, which
     * exists: {@code pg_restore --create} always tries to make it first, and goes on past that one error (it exits with 1
     * and says {@code errors ignored on restore: 1}). Messages in English, which {@link #onlyTheDatabaseExisted} reads.
     *
     * @param list the listing that selects the database's comment, grants and security labels
     */
    public Pipeline.Stage properties(Endpoint endpoint, Path list) {
        Pipeline.Stage stage = stage("pg_restore", endpoint, List.of("--create", "--no-password", "-d", "postgres", "-L", list.toString()));
        Map<String, String> environment = new HashMap<>(stage.environment());
        environment.put("PGOPTIONS", "-c lc_messages=C");
        return new Pipeline.Stage(stage.argv(), environment);
    }

    /** Whether the pg_restore of {@link #properties} failed at the database's existing only, and did all the rest. */
    public static boolean onlyTheDatabaseExisted(int exitCode, String errors) {
        return exitCode == 0 || exitCode == 1 && errors.contains("errors ignored on restore: 1")
                && errors.lines().filter(line -> line.startsWith("pg_restore: error:")).count() == 1
                && errors.lines().anyMatch(line -> line.startsWith("pg_restore: error: could not execute query: ERROR:  database ")
                && line.endsWith(" already exists"));
    }

    /**
     * A pg_restore stage of {@link #restore} reading a file instead, with as many jobs as cores (at most 4): tables and
     * indexes load side by side.
     */
    public static Pipeline.Stage fromFile(Pipeline.Stage restore, Path file) {
        List<String> argv = new ArrayList<>(restore.argv());
        argv.addAll(List.of("-j", Integer.toString(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))));
        return onFile(new Pipeline.Stage(argv, restore.environment()), file);
    }

    /** A pg_restore stage reading a file instead of stdin. */
    public static Pipeline.Stage onFile(Pipeline.Stage restore, Path file) {
        List<String> argv = new ArrayList<>(restore.argv());
        argv.add(file.toString());
        return new Pipeline.Stage(argv, restore.environment());
    }

    /** psql running the SQL of stdin in {@code database}, stopping at the first error. */
    public Pipeline.Stage psql(Endpoint endpoint, String database) {
        return stage("psql", endpoint, List.of("-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", TenantSession.dbname(database), "-f", "-"));
    }

    private Pipeline.Stage stage(String tool, Endpoint endpoint, List<String> args) {
        List<String> argv = new ArrayList<>(List.of(binaries.tool(tool), "-h", endpoint.host(), "-p", Integer.toString(endpoint.port()),
                "-U", endpoint.user()));
        argv.addAll(args);
        Map<String, String> environment = new HashMap<>(Map.of("PGCONNECT_TIMEOUT", "10", "PGAPPNAME", "pgfleet-backup-worker"));
        if (endpoint.password() != null) {
            environment.put("PGPASSWORD", endpoint.password());
        }
        environment.putAll(endpoint.libpqEnvironment());
        return new Pipeline.Stage(argv, environment);
    }
}
