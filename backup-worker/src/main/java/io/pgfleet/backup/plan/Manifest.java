package io.pgfleet.backup.plan;

import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The last snapshot of a backup's set: it exists only when every dump before it succeeded, so a
 * backup counts as good exactly when its manifest is in the repository.
 *
 * @param files file in the set ({@code globals.sql}, {@code <db>.dump}) to its snapshot, path and size
 * @param roles the names of the instance's roles at backup time (not {@code pg_*}); a restore into an
 *              instance that has them all needs nothing from {@code globals.sql}, which only creates missing roles
 */
public record Manifest(String backupId, String instance, Instant time, List<String> databases, Map<String, File> files,
                       List<String> roles) {

    /** The file holding the roles. */
    public static final String GLOBALS = "globals.sql";
    /** The manifest's own file name. */
    public static final String FILE = "manifest.json";

    /**
     * One saved file.
     *
     * @param snapshot the snapshot holding it
     * @param path     its path in that snapshot: {@code /<file>} for a dump streamed into its own snapshot,
     *                 the absolute path it had in the work directory for one saved with others
     *                 ({@code null} in manifests written before files were saved together: {@code /<file>})
     * @param bytes    its size
     */
    public record File(String snapshot, String path, long bytes) {
    }

    /** The path of {@code file} in its snapshot. */
    public String path(String file) {
        String path = files.get(file).path();
        return path == null ? "/" + file : path;
    }

    /** The file of one database's dump. */
    public static String dumpFile(String database) {
        return database + ".dump";
    }

    public byte[] toJson() {
        try {
            return Json.mapper().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Manifest fromJson(byte[] json) {
        try {
            return Json.mapper().readValue(json, Manifest.class);
        } catch (IOException e) {
            throw new IllegalStateException("the backup's manifest cannot be read: " + e.getMessage(), e);
        }
    }
}
