package io.pgfleet.backup.run;

import java.util.List;
import java.util.Map;

/**
 * A logical backup saved to the end (a {@link io.pgfleet.runtime.job.Step} fact), as its catalog row records it.
 *
 * @param databases  the databases it holds
 * @param snapshots  file name → restic snapshot id, the manifest's included
 * @param bytes      the dumps' size
 * @param durationMs how long it took
 */
public record SavedBackup(List<String> databases, Map<String, String> snapshots, long bytes, long durationMs) {
}
