package io.pgfleet.backup.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How a backup saves each database. A restic process costs about half a second of CPU before it
 * reads a byte (key derivation, index), so small databases are dumped to the work directory and
 * saved in one snapshot with the roles; large ones are streamed from pg_dump into restic, each in
 * its own snapshot, without touching the disk.
 *
 * @param together databases saved with the roles, smallest first
 * @param streamed databases streamed each into its own snapshot, largest first (the longest starts first)
 */
public record BackupPlan(List<String> together, List<String> streamed) {

    /**
     * @param sizes database name to its size ({@code pg_database_size})
     * @param limit the largest database saved with the roles
     * @param total the most the databases saved with the roles may add up to (what the work directory holds at most, before compression)
     */
    public static BackupPlan of(Map<String, Long> sizes, long limit, long total) {
        List<Map.Entry<String, Long>> bySize = new ArrayList<>(sizes.entrySet());
        bySize.sort(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        List<String> together = new ArrayList<>();
        List<String> streamed = new ArrayList<>();
        long sum = 0;
        for (Map.Entry<String, Long> database : bySize) {
            if (database.getValue() <= limit && sum + database.getValue() <= total) {
                together.add(database.getKey());
                sum += database.getValue();
            } else {
                streamed.add(database.getKey());
            }
        }
        streamed.sort(Comparator.comparing(sizes::get, Comparator.reverseOrder()));
        return new BackupPlan(List.copyOf(together), List.copyOf(streamed));
    }
}
