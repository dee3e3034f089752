package io.pgfleet.backup.plan;

import io.pgfleet.events.json.Json;
import io.pgfleet.events.secrets.Hmac;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The last snapshot of a backup's set: it exists only when every dump before it succeeded, so a
 * backup counts as good exactly when its manifest is in the repository. It names every file with its
 * SHA-256 and is authenticated ({@code mac}: HMAC-SHA256 with the instance's manifest key, which only the
 * backup-worker holds), so a restore can tell what pgfleet wrote from anything else in a repository whose
 * password the tenant knows.
 *
 * @param files file in the set ({@code globals.sql}, {@link #dumpFile} of each database) to its snapshot, path, size and checksum
 * @param roles the names of the instance's roles at backup time (not {@code pg_*}); a restore into an
 *              instance that has them all needs nothing from {@code globals.sql}, which only creates missing roles
 * @param mac   the manifest's HMAC-SHA256 (hex) over its other fields ({@code null} in manifests made before)
 */
public record Manifest(String backupId, String instance, Instant time, List<String> databases, Map<String, File> files,
                       List<String> roles, String mac) {

    /** The file holding the roles. */
    public static final String GLOBALS = "globals.sql";
    /** The manifest's own file name. */
    public static final String FILE = "manifest.json";

    private static final Pattern BACKUP_ID = Pattern.compile("[0-9]{8}-[0-9]{6}-[0-9a-f]{6}");
    private static final Pattern SNAPSHOT = Pattern.compile("[0-9a-f]{8,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** Any database name PostgreSQL takes that pgfleet saves: no control character (its dump file is named by {@link #dumpFile}). */
    private static final Pattern DATABASE = Pattern.compile("[^\\p{Cntrl}]+");
    /** What a database name had to be when its dump file was {@code <name>.dump} (manifests made before): no '/'. */
    private static final Pattern LEGACY_FILE_NAME = Pattern.compile("[^/\\p{Cntrl}]+");

    /**
     * One saved file.
     *
     * @param snapshot the snapshot holding it
     * @param path     its path in that snapshot: {@code /<file>} for a dump streamed into its own snapshot,
     *                 the absolute path it had in the work directory for one saved with others
     *                 ({@code null} in manifests written before files were saved together: {@code /<file>})
     * @param bytes    its size
     * @param sha256   the SHA-256 of its content (hex; {@code null} in manifests made before checksums)
     * @param rows     a database's dump: each table's rows ({@code schema.table}, quoted where needed) counted in the
     *                 snapshot it was dumped from, which a restore drill compares ({@code null} for the roles' file and in
     *                 manifests made before)
     */
    public record File(String snapshot, String path, long bytes, String sha256, Map<String, Long> rows) {

        public File(String snapshot, String path, long bytes, String sha256) {
            this(snapshot, path, bytes, sha256, null);
        }

        /** The same file with its tables' rows. */
        public File withRows(Map<String, Long> counted) {
            return new File(snapshot, path, bytes, sha256, counted == null ? null : new TreeMap<>(counted));
        }

        /** The same file, saved in {@code savedIn} (a snapshot of several files). */
        public File savedIn(String savedIn) {
            return new File(savedIn, path, bytes, sha256, rows);
        }
    }

    /** A manifest not yet authenticated. */
    public Manifest(String backupId, String instance, Instant time, List<String> databases, Map<String, File> files, List<String> roles) {
        this(backupId, instance, time, databases, files, roles, null);
    }

    /** The path of {@code file} in its snapshot. */
    public String path(String file) {
        String path = files.get(file).path();
        return path == null ? "/" + file : path;
    }

    /**
     * The file of one database's dump, named so that no database name becomes a path: the name's letters, digits, '_'
     * and '-' (others as '_', at most 40) for whoever lists a snapshot, then 16 hex digits of the name's SHA-256, so that
     * {@code ../x}, {@code a/b} and {@code a_b} each have a file of their own in the work directory and nowhere else.
     */
    public static String dumpFile(String database) {
        String readable = database.replaceAll("[^A-Za-z0-9_-]", "_");
        return readable.substring(0, Math.min(40, readable.length())) + "." + nameDigest(database) + ".dump";
    }

    /** The file this manifest holds one database's dump in: {@link #dumpFile}, or {@code <name>.dump} in manifests made before. */
    public String dumpFileOf(String database) {
        String file = dumpFile(database);
        return files.containsKey(file) || !files.containsKey(legacyDumpFile(database)) ? file : legacyDumpFile(database);
    }

    private static String nameDigest(String database) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(database.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private static String legacyDumpFile(String database) {
        return database + ".dump";
    }

    /** This manifest authenticated with {@code key}. */
    public Manifest signed(byte[] key) {
        return new Manifest(backupId, instance, time, databases, files, roles, hmac(key));
    }

    /** Whether it was authenticated with {@code key} (a manifest without a MAC never is). */
    public boolean authenticatedBy(byte[] key) {
        return mac != null && MessageDigest.isEqual(mac.getBytes(StandardCharsets.US_ASCII),
                hmac(key).getBytes(StandardCharsets.US_ASCII));
    }

    private String hmac(byte[] key) {
        byte[] canonical = new Manifest(backupId, instance, time, databases, new TreeMap<>(files), roles, null).toJson();
        return Hmac.sha256Hex(key, canonical);
    }

    /**
     * What is wrong with it before any of its names becomes a path or a database name: ids, database names,
     * file names ({@code globals.sql}, {@link #dumpFile}), paths (absolute, no {@code ..}, in this backup's
     * work directory or at the snapshot's root), snapshot ids and checksums. Empty when nothing is.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (backupId == null || !BACKUP_ID.matcher(backupId).matches()) {
            problems.add("backup id '" + backupId + "' is not one pgfleet makes");
        }
        if (databases == null || files == null) {
            problems.add("it lists no databases or no files");
            return problems;
        }
        databases.stream().filter(database -> !DATABASE.matcher(database).matches()
                        || database.getBytes(StandardCharsets.UTF_8).length > 63)
                .forEach(database -> problems.add("database '" + database + "' is not a name PostgreSQL gives a database that pgfleet saves"));
        files.forEach((name, file) -> {
            boolean known = name.equals(GLOBALS) || databases.stream().anyMatch(database -> name.equals(dumpFile(database))
                    || name.equals(legacyDumpFile(database)) && LEGACY_FILE_NAME.matcher(database).matches() && !database.equals("..")
                    && !database.equals("."));
            if (!known) {
                problems.add("file '" + name + "' is neither the roles nor the dump of a database it lists");
                return;
            }
            String path = file.path() == null ? "/" + name : file.path();
            boolean inPlace = path.equals("/" + name) || path.endsWith("/" + backupId + "/" + name);
            if (!path.startsWith("/") || path.contains("/../") || path.contains("/./") || path.contains("//") || !inPlace) {
                problems.add("file '" + name + "' has the path '" + path + "', not one pgfleet writes");
            }
            if (file.snapshot() == null || !SNAPSHOT.matcher(file.snapshot()).matches()) {
                problems.add("file '" + name + "' names no valid snapshot");
            }
            if (file.sha256() != null && !SHA256.matcher(file.sha256()).matches()) {
                problems.add("file '" + name + "' has no valid checksum");
            }
        });
        return problems;
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
