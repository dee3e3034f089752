package io.pgfleet.backup.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who loads which rows of a database's dump. PostgreSQL evaluates a table's {@code CHECK} constraints, its columns' domains
 * and its stored generated columns for every row {@code COPY} loads, with the rights of the session that loads it; those
 * may call any function the table's owner wrote. A tenant's table is therefore loaded in a session that holds its owner's
 * rights and nothing more (a temporary login role that is a member of the owner, never the superuser under
 * {@code SET ROLE}, which the tenant's code could reset), one load per owner and schema, each naming its tables
 * ({@code pg_restore -n schema -t table…}). The rest of the data section — the data of tables a superuser owns, sequence
 * values, large objects — runs no tenant code and is loaded by the superuser ({@code pg_restore -L}, from the dump's own
 * listing). Pure: the tables come from the catalogue of the database as its schema was restored, the listing from
 * {@code pg_restore -l}.
 *
 * @param superuserListing the listing {@code pg_restore -L} takes for the superuser's part: every entry but the tables'
 *                         data (which the loads below bring)
 * @param loads            the tables' data: the superuser's loads first, then each owner's, in the catalogue's order
 */
public record LoadPlan(String superuserListing, List<Load> loads) {

    /** An entry of {@code pg_restore -l}: its dump id, two OIDs, then its kind ({@code TABLE DATA}, …) and names. */
    private static final Pattern ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ (.*)$");
    private static final String TABLE_DATA = "TABLE DATA ";

    /**
     * A table of the restored database.
     *
     * @param owner            the role whose rights load it (for a table owned by {@code pg_database_owner}, the
     *                         database's owner)
     * @param ownerIsSuperuser whether that role is a superuser: its tables are loaded by pgfleet's superuser
     */
    public record Table(String schema, String name, String owner, boolean ownerIsSuperuser) {
    }

    /**
     * One {@code pg_restore} of table data.
     *
     * @param owner  the role whose rights load the rows; {@code null}: the superuser
     * @param schema the tables' schema
     * @param tables the tables' names
     */
    public record Load(String owner, String schema, List<String> tables) {

        public Load {
            tables = List.copyOf(tables);
        }

        /** pg_restore's options that select these tables' data and nothing else (names match exactly, never as patterns). */
        public List<String> selection() {
            List<String> options = new ArrayList<>(List.of("-n", schema));
            tables.forEach(table -> options.addAll(List.of("-t", table)));
            return options;
        }
    }

    public LoadPlan {
        loads = List.copyOf(loads);
    }

    /**
     * The plan for a dump whose listing is {@code listing}, restored into a database that now holds {@code tables}.
     * An entry's kind is read where pg_restore prints it, right after the OIDs, so a table named to look like data
     * cannot take an entry out of the superuser's part; at worst a table's definition (not loaded by a data section) is
     * left out of it.
     */
    public static LoadPlan of(String listing, List<Table> tables) {
        StringBuilder superuser = new StringBuilder();
        for (String line : listing.split("\n", -1)) {
            Matcher entry = ENTRY.matcher(line);
            if (entry.matches() && !entry.group(1).startsWith(TABLE_DATA)) {
                superuser.append(line).append('\n');
            }
        }
        Map<List<String>, List<String>> grouped = new LinkedHashMap<>();
        tables.stream().filter(Table::ownerIsSuperuser).forEach(t -> grouped.computeIfAbsent(key(null, t), k -> new ArrayList<>()).add(t.name()));
        tables.stream().filter(t -> !t.ownerIsSuperuser()).forEach(t -> grouped.computeIfAbsent(key(t.owner(), t), k -> new ArrayList<>()).add(t.name()));
        List<Load> loads = new ArrayList<>();
        grouped.forEach((key, names) -> loads.add(new Load(key.get(0), key.get(1), names)));
        return new LoadPlan(superuser.toString(), loads);
    }

    /** The owners whose rights load some tables, each once, in order. */
    public List<String> owners() {
        return loads.stream().map(Load::owner).filter(Objects::nonNull).distinct().toList();
    }

    private static List<String> key(String owner, Table table) {
        return Arrays.asList(owner, table.schema());
    }
}
