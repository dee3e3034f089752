package io.pgfleet.backup.plan;

import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How far a backup has come, kept in its catalog row after each bounded step ({@link BackupSteps}): what the instance
 * held when the backup began, how its databases are saved, and the files saved so far.
 *
 * @param databases        the instance's databases when the backup began (the manifest lists them)
 * @param roles            its roles then (names only)
 * @param plan             which databases are saved with the roles, which streamed each into its own snapshot
 * @param files            the files saved so far, each with its snapshot, path, size and checksum
 * @param underWay         the step an attempt began and has not recorded the end of ({@link #SAVE} or {@link #MANIFEST}):
 *                         whoever takes it up again first cleans up after it; {@code null} between steps
 * @param manifestSnapshot the manifest's snapshot, once it is saved
 * @param baseBackup       what the WAL archive's base backup, taken before the logical set, said (null without WAL archiving
 *                         by this service)
 */
public record BackupProgress(List<String> databases, List<String> roles, BackupPlan plan, Map<String, Manifest.File> files,
                             String underWay, String manifestSnapshot, BaseBackup baseBackup) {

    /**
     * What the base backup step said, for the backup's answer.
     *
     * @param message its message
     * @param details its details (the base backup's label, sizes, WAL range, the recovery window)
     */
    public record BaseBackup(String message, Map<String, Object> details) {
    }

    /** The save step's name while it is under way. */
    public static final String SAVE = "save";
    /** The manifest step's name while it is under way. */
    public static final String MANIFEST = "manifest";

    public BackupProgress {
        databases = List.copyOf(databases);
        roles = List.copyOf(roles);
        files = new TreeMap<>(files);
    }

    /** A backup just planned: nothing saved yet. */
    public static BackupProgress planned(List<String> databases, List<String> roles, BackupPlan plan, BaseBackup baseBackup) {
        return new BackupProgress(databases, roles, plan, Map.of(), null, null, baseBackup);
    }

    /** The files of the roles and the databases saved with them, in one snapshot. */
    public List<String> together() {
        List<String> names = new ArrayList<>(List.of(Manifest.GLOBALS));
        plan.together().forEach(database -> names.add(Manifest.dumpFile(database)));
        return names;
    }

    /** Every file of the set but the manifest. */
    public List<String> wanted() {
        List<String> names = together();
        plan.streamed().forEach(database -> names.add(Manifest.dumpFile(database)));
        return names;
    }

    /** The snapshots recorded so far, the manifest's included: anything else tagged with the backup was left by a killed attempt. */
    public Set<String> snapshots() {
        Set<String> ids = new HashSet<>();
        files.values().forEach(f -> ids.add(f.snapshot()));
        if (manifestSnapshot != null) {
            ids.add(manifestSnapshot);
        }
        return ids;
    }

    public BackupProgress underWay(String step) {
        return new BackupProgress(databases, roles, plan, files, step, manifestSnapshot, baseBackup);
    }

    /** With these files saved too. */
    public BackupProgress saved(Map<String, Manifest.File> more) {
        Map<String, Manifest.File> all = new TreeMap<>(files);
        all.putAll(more);
        return new BackupProgress(databases, roles, plan, all, underWay, manifestSnapshot, baseBackup);
    }

    /** With its manifest saved: the step ends. */
    public BackupProgress manifestSaved(String snapshot) {
        return new BackupProgress(databases, roles, plan, files, null, snapshot, baseBackup);
    }

    public String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BackupProgress fromJson(String json) {
        try {
            return Json.mapper().readValue(json, BackupProgress.class);
        } catch (IOException e) {
            throw new UncheckedIOException("a backup's progress cannot be read", e);
        }
    }
}
