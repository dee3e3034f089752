package io.pgfleet.backup.plan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What a restore drill found, compared with what its backup's manifest recorded: each database of the backup present in
 * the scratch server, each table's rows as counted when the backup was taken, and what {@code pg_amcheck} said. Pure.
 *
 * @param databases   the databases of the backup, checked
 * @param tables      the tables whose rows were compared
 * @param unrecorded  the databases whose backup recorded no row counts (made before pgfleet recorded them): present, not counted
 * @param differences each difference, in words: a database missing, a table missing or extra, rows that differ
 * @param amcheck     pg_amcheck's findings, line by line (at most {@link #MOST_LINES})
 */
public record DrillFindings(List<String> databases, int tables, List<String> unrecorded, List<String> differences, List<String> amcheck) {

    /** The most lines of pg_amcheck's output kept (each corrupt page says several). */
    public static final int MOST_LINES = 50;

    /**
     * @param restored each database of the scratch server to its tables' rows
     * @param amcheck  pg_amcheck's output, when it found something or failed; empty when it found nothing
     */
    public static DrillFindings compare(Manifest manifest, Map<String, Map<String, Long>> restored, List<String> amcheck) {
        List<String> differences = new ArrayList<>();
        List<String> unrecorded = new ArrayList<>();
        int tables = 0;
        for (String database : manifest.databases()) {
            Map<String, Long> found = restored.get(database);
            if (found == null) {
                differences.add("database " + database + " is missing");
                continue;
            }
            Map<String, Long> recorded = manifest.files().get(manifest.dumpFileOf(database)).rows();
            if (recorded == null) {
                unrecorded.add(database);
                continue;
            }
            for (String table : new TreeSet<>(union(recorded, found))) {
                Long was = recorded.get(table);
                Long is = found.get(table);
                if (was == null) {
                    differences.add(database + ": table " + table + " is not in the backup (" + is + " rows restored)");
                } else if (is == null) {
                    differences.add(database + ": table " + table + " is missing (" + was + " rows in the backup)");
                } else {
                    tables++;
                    if (!Objects.equals(was, is)) {
                        differences.add(database + ": table " + table + " has " + is + " rows, " + was + " when the backup was taken");
                    }
                }
            }
        }
        List<String> kept = amcheck.stream().map(String::strip).filter(line -> !line.isEmpty()).limit(MOST_LINES).toList();
        return new DrillFindings(List.copyOf(manifest.databases()), tables, List.copyOf(unrecorded), List.copyOf(differences), kept);
    }

    /**
     * A point in time restored from the WAL archive: recovery reached it (the driver fails the drill when it ended
     * before), and the last transaction it replayed committed at or before it; no row counts (a time has no manifest).
     *
     * @param restored          the databases of the scratch server
     * @param lastTransactionAt the commit time of the last transaction replayed ({@code null}: none since the base backup)
     */
    public static DrillFindings ofPointInTime(List<String> restored, Instant target, Instant lastTransactionAt, List<String> amcheck) {
        List<String> differences = new ArrayList<>();
        if (lastTransactionAt != null && lastTransactionAt.isAfter(target)) {
            differences.add("replay went past " + target + ": its last transaction committed at " + lastTransactionAt);
        }
        List<String> kept = amcheck.stream().map(String::strip).filter(line -> !line.isEmpty()).limit(MOST_LINES).toList();
        return new DrillFindings(List.copyOf(restored), 0, List.copyOf(restored), List.copyOf(differences), kept);
    }

    private static TreeSet<String> union(Map<String, Long> a, Map<String, Long> b) {
        TreeSet<String> names = new TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        return names;
    }

    /** Whether the backup came back whole: nothing differs and pg_amcheck found nothing. */
    public boolean passed() {
        return differences.isEmpty() && amcheck.isEmpty();
    }

    /** The findings in one list, differences first (what the catalog keeps and the answer names). */
    public List<String> all() {
        List<String> all = new ArrayList<>(differences);
        amcheck.forEach(line -> all.add("pg_amcheck: " + line));
        return all;
    }

    /** One sentence of what was found. */
    public String summary() {
        if (tables == 0 && unrecorded.equals(databases) && !databases.isEmpty()) {
            String checked = databases.size() + " database" + (databases.size() == 1 ? "" : "s") + " (" + String.join(", ", databases) + ")";
            return checked + (passed() ? ", pg_amcheck found no corruption" : "; " + String.join("; ", all()));
        }
        String checked = databases.size() + " database" + (databases.size() == 1 ? "" : "s") + " and " + tables + " table"
                + (tables == 1 ? "" : "s") + " checked" + (unrecorded.isEmpty() ? "" : " (" + String.join(", ", unrecorded)
                + ": no row counts recorded in this backup, present only)");
        if (passed()) {
            return checked + ", every row count as recorded, pg_amcheck found no corruption";
        }
        List<String> parts = new ArrayList<>();
        if (!differences.isEmpty()) {
            parts.add(differences.size() + " difference" + (differences.size() == 1 ? "" : "s") + " (" + String.join("; ",
                    differences.subList(0, Math.min(5, differences.size()))) + (differences.size() > 5 ? "; …" : "") + ")");
        }
        if (!amcheck.isEmpty()) {
            parts.add("pg_amcheck found corruption: " + amcheck.get(0) + (amcheck.size() > 1 ? " …" : ""));
        }
        return checked + "; " + String.join("; ", parts);
    }
}
