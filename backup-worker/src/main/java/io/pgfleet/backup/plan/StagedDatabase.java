package io.pgfleet.backup.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a database of a backup is restored beside the one it replaces: into a staging database made with the dump's
 * encoding, locale and owner, which takes the target's name (the target is renamed aside, then dropped) only once it is
 * whole. Pure: it reads the SQL {@code pg_restore --create} would run for the dump's {@code DATABASE} entry, and names
 * the staging and the renamed-aside databases from the job and the database, so that a retry of the same job finds what
 * a killed attempt left.
 *
 * <p>The statement is never run as it is: its options are taken one by one, each a keyword pg_dump writes with a value
 * that is one quoted literal or one identifier, and written again for the staging database; anything else in it refuses
 * the restore before anything is made.
 *
 * @param options the {@code CREATE DATABASE} options, each {@code KEY = value} as pg_dump wrote it
 * @param owner   the database's owner, an identifier as pg_dump quoted it
 */
public record StagedDatabase(List<String> options, String owner, List<Setting> settings) {

    /**
     * A setting of the database, or of one role in it ({@code ALTER DATABASE … SET}, {@code ALTER ROLE … IN DATABASE …
     * SET}): the staging database has it while the dump loads, as the database {@code pg_restore --create} makes would.
     *
     * @param role  the role it is for, an identifier as pg_dump quoted it; {@code null}: every role
     * @param name  the parameter, as pg_dump quoted it
     * @param value its value: literals as pg_dump wrote them
     */
    public record Setting(String role, String name, String value) {
    }

    /** What pg_dump writes after a database's name in its {@code CREATE DATABASE} (PostgreSQL 15 and 16). */
    private static final Set<String> KEYS = Set.of("ENCODING", "LOCALE_PROVIDER", "LOCALE", "LC_COLLATE", "LC_CTYPE", "ICU_LOCALE",
            "ICU_RULES", "TABLESPACE");
    private static final String VALUE = "('(?:[^']|'')*'|[A-Za-z0-9_]+|\"(?:[^\"]|\"\")+\")";
    private static final Pattern OPTION = Pattern.compile("\\G ([A-Z_]+) = " + VALUE);
    private static final String IDENT = "[a-z_][a-z0-9_$]*|\"(?:[^\"]|\"\")+\"";
    private static final Pattern IDENTIFIER = Pattern.compile(IDENT);
    private static final String LITERAL = "'(?:[^']|'')*'";
    /** A setting as pg_dump writes it: one literal, a list of them, or a bare number or word. */
    private static final String SET = " SET ((?:[a-z_][a-z0-9_.]*)|\"(?:[^\"]|\"\")+\") TO (" + LITERAL + "(?:, " + LITERAL
            + ")*|[A-Za-z0-9_.+-]+);\n";

    public StagedDatabase {
        options = List.copyOf(options);
        settings = List.copyOf(settings);
    }

    /**
     * Reads the {@code CREATE DATABASE} and {@code ALTER DATABASE … OWNER TO} statements of {@code sql} for the database
     * whose quoted name is {@code quotedName} (as the server's {@code quote_ident} gives it, which is how pg_dump quotes).
     *
     * @throws IllegalArgumentException when either is missing or says more than pg_dump writes
     */
    public static StagedDatabase read(String sql, String quotedName) {
        String create = "CREATE DATABASE " + quotedName + " WITH TEMPLATE = template0";
        int at = statement(sql, create);
        if (at < 0) {
            throw new IllegalArgumentException("the dump has no CREATE DATABASE for " + quotedName);
        }
        List<String> options = new ArrayList<>();
        Matcher option = OPTION.matcher(sql);
        int end = at + create.length();
        option.region(end, sql.length());
        while (option.find()) {
            if (!KEYS.contains(option.group(1))) {
                throw new IllegalArgumentException("the dump's CREATE DATABASE for " + quotedName + " has an option pgfleet does not restore: "
                        + option.group(1));
            }
            options.add(option.group(1) + " = " + option.group(2));
            end = option.end();
            option.region(end, sql.length());
        }
        if (!sql.startsWith(";\n", end)) {
            throw new IllegalArgumentException("the dump's CREATE DATABASE for " + quotedName + " does not read as pg_dump writes it");
        }
        String alter = "ALTER DATABASE " + quotedName + " OWNER TO ";
        int ownerAt = statement(sql, alter);
        if (ownerAt < 0) {
            throw new IllegalArgumentException("the dump does not say who owns " + quotedName);
        }
        int ownerEnd = sql.indexOf(";\n", ownerAt + alter.length());
        String owner = ownerEnd < 0 ? "" : sql.substring(ownerAt + alter.length(), ownerEnd);
        if (!IDENTIFIER.matcher(owner).matches()) {
            throw new IllegalArgumentException("the dump's owner of " + quotedName + " does not read as one role");
        }
        return new StagedDatabase(options, owner, settings(sql, quotedName));
    }

    /** The settings of the database and of roles in it that {@code sql} makes; a line that starts as one and reads otherwise refuses. */
    private static List<Setting> settings(String sql, String quotedName) {
        Pattern database = Pattern.compile("^ALTER DATABASE " + Pattern.quote(quotedName) + SET, Pattern.MULTILINE);
        Pattern role = Pattern.compile("^ALTER ROLE (" + IDENT + ") IN DATABASE " + Pattern.quote(quotedName) + SET, Pattern.MULTILINE);
        List<Setting> settings = new ArrayList<>();
        int found = 0;
        for (Matcher m = database.matcher(sql); m.find(); found++) {
            settings.add(new Setting(null, m.group(1), m.group(2)));
        }
        for (Matcher m = role.matcher(sql); m.find(); found++) {
            settings.add(new Setting(m.group(1), m.group(2), m.group(3)));
        }
        long said = sql.lines().filter(line -> line.startsWith("ALTER DATABASE " + quotedName + " SET ")
                || line.startsWith("ALTER ROLE ") && line.contains(" IN DATABASE " + quotedName + " SET ")).count();
        if (said != found) {
            throw new IllegalArgumentException("the dump's settings of " + quotedName + " do not read as pg_dump writes them");
        }
        return settings;
    }

    /** The statements that give the staging database, named {@code quotedStaging}, the dump's settings. */
    public List<String> settingStatements(String quotedStaging) {
        return settings.stream().map(setting -> (setting.role() == null ? "ALTER DATABASE " + quotedStaging
                : "ALTER ROLE " + setting.role() + " IN DATABASE " + quotedStaging) + " SET " + setting.name() + " TO " + setting.value()).toList();
    }

    /** Where a statement starting with {@code start} begins a line of {@code sql}, or -1. */
    private static int statement(String sql, String start) {
        if (sql.startsWith(start)) {
            return 0;
        }
        int at = sql.indexOf("\n" + start);
        return at < 0 ? -1 : at + 1;
    }

    /** The statement that makes the staging database, named {@code quotedStaging}, as the dump's database was made. */
    public String createStatement(String quotedStaging) {
        StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(quotedStaging).append(" WITH TEMPLATE = template0");
        options.forEach(option -> sql.append(' ').append(option));
        return sql.append(" OWNER = ").append(owner).toString();
    }

    /** The staging database of a job's restore of {@code database}: {@code pgfleet_restore_} and a digest of both. */
    public static String stagingName(String jobId, String database) {
        return "pgfleet_restore_" + jobDigest(jobId, database);
    }

    /** The name the replaced database has between the swap and its removal: {@code pgfleet_replaced_} and the same digest. */
    public static String replacedName(String jobId, String database) {
        return "pgfleet_replaced_" + jobDigest(jobId, database);
    }

    /** 16 hex digits of a digest of the job and the database: the same for a retry of the same job. */
    public static String jobDigest(String jobId, String database) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((jobId + "\n" + database).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
