package io.pgfleet.clusters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * How every session pgfleet opens on an instance is made immune to what a tenant put there. A tenant who owns a
 * database can give it (or its own role) a {@code search_path} that puts its {@code public} schema before
 * {@code pg_catalog}, where a function, operator or view named like a catalogue object would then run in pgfleet's
 * superuser session. The startup packet's {@code options} outrank every database and role setting, so each session —
 * JDBC ({@link #jdbcUrl}), and pg_dump, pg_restore, psql, pg_rewind and pgBackRest through libpq's {@code PGOPTIONS}
 * ({@link #LIBPQ_ENVIRONMENT}) — starts with {@code search_path = pg_catalog, pg_temp}: the catalogue first, the
 * session's own temporary schema last, and nothing of the tenant's.
 */
public final class TenantSession {

    /** The search path of pgfleet's sessions. */
    public static final String SEARCH_PATH = "pg_catalog,pg_temp";
    /** The startup options that fix it. */
    public static final String OPTIONS = "-c search_path=" + SEARCH_PATH;
    /** libpq's environment for the same. */
    public static final Map<String, String> LIBPQ_ENVIRONMENT = Map.of("PGOPTIONS", OPTIONS);

    private TenantSession() {
    }

    /**
     * {@code jdbc:postgresql://host:port/database?options=…&parameters}: the database name is URL-encoded (pgjdbc decodes
     * it), so a tenant's name such as {@code x?sslmode=disable} stays a name, never a parameter.
     *
     * @param parameters further URL parameters, already encoded ({@code ""} for none)
     */
    public static String jdbcUrl(String host, int port, String database, String parameters) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "?options=" + URLEncoder.encode(OPTIONS, StandardCharsets.UTF_8) + (parameters.isEmpty() ? "" : "&" + parameters);
    }

    /**
     * A libpq connection string's value, quoted: {@code 'it''s'} becomes {@code 'it\'s'}. A database name given to
     * {@code -d} that holds {@code =} would otherwise be read as a whole connection string ({@code host=elsewhere}).
     */
    public static String conninfoValue(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a connection value cannot hold a NUL byte");
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** {@code dbname='…'}: what {@code -d} takes so that the name is only ever a database name. */
    public static String dbname(String database) {
        return "dbname=" + conninfoValue(database);
    }
}
