package io.pgfleet.backup.run;

import io.pgfleet.backup.plan.Manifest;
import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.restic.ResticRepository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The files of a backup a restore reads. Files that share a snapshot with others the restore needs
 * (the roles and the small databases) are restored to the work directory by one {@code restic
 * restore}, and so are large dumps while they fit the work directory's budget; each other file is streamed by
 * {@code restic dump} straight into the program that reads it.
 * Closing removes the work directory.
 */
final class BackupFiles implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackupFiles.class);

    private final ResticRepository repository;
    private final Manifest manifest;
    private final Path work;
    private final Map<String, Path> local;

    private BackupFiles(ResticRepository repository, Manifest manifest, Path work, Map<String, Path> local) {
        this.repository = repository;
        this.manifest = manifest;
        this.work = work;
        this.local = local;
    }

    /**
     * Restores to {@code work} the needed files that share a snapshot, and the dumps of snapshots of their own while they
     * fit in {@code budget} bytes (and on the work directory's disk): those are then read once from the repository (their
     * checksum and {@code pg_restore -j} read the copy) instead of once to check them and once more into their database.
     * ({@code restic restore} fetches a file's parts side by side; the copy is then hashed from the page cache, in a
     * fraction of the fetch's time: measured faster than {@code restic dump} through {@code tee} into a digest.)
     */
    static BackupFiles open(ResticRepository repository, Manifest manifest, Collection<String> needed, Path work, long budget)
            throws IOException {
        Map<String, List<String>> bySnapshot = new LinkedHashMap<>();
        needed.forEach(file -> bySnapshot.computeIfAbsent(manifest.files().get(file).snapshot(), s -> new ArrayList<>()).add(file));
        Map<String, Path> local = new HashMap<>();
        WorkDirectory.delete(work);
        Map<String, Long> sizes = new HashMap<>();
        needed.forEach(file -> sizes.put(file, manifest.files().get(file).bytes()));
        Path existing = work;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        long usable = existing == null ? 0 : Files.getFileStore(existing).getUsableSpace();
        Set<String> copied = copied(bySnapshot, sizes, budget, usable);
        for (Map.Entry<String, List<String>> snapshot : bySnapshot.entrySet()) {
            if (!copied.containsAll(snapshot.getValue())) {
                continue;
            }
            if (local.isEmpty()) {
                WorkDirectory.create(work);
            }
            List<String> paths = snapshot.getValue().stream().map(manifest::path).toList();
            long start = System.nanoTime();
            try {
                repository.restore(snapshot.getKey(), paths, work);
            } catch (ResticException e) {
                throw new ResticException(String.join(", ", snapshot.getValue()) + " of backup '" + manifest.backupId()
                        + "' cannot be read from snapshot " + snapshot.getKey() + ": " + e.getMessage(), e.locked());
            }
            for (String file : snapshot.getValue()) {
                local.put(file, work.resolve(manifest.path(file).substring(1)));
            }
            LOG.info("restored {} files of snapshot {} ({}) in {} ms", paths.size(), snapshot.getKey(), String.join(", ", snapshot.getValue()),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return new BackupFiles(repository, manifest, work, local);
    }

    /**
     * The files copied to the work directory (pure): every file of a snapshot shared by several (the roles and the small
     * databases, small by how backups are planned); then each file with a snapshot of its own, in order, while the copies
     * add up to at most {@code budget} and leave a tenth of {@code usable} free.
     */
    static Set<String> copied(Map<String, List<String>> bySnapshot, Map<String, Long> sizes, long budget, long usable) {
        Set<String> copied = new LinkedHashSet<>();
        long total = 0;
        for (List<String> files : bySnapshot.values()) {
            if (files.size() > 1) {
                copied.addAll(files);
                total += files.stream().mapToLong(sizes::get).sum();
            }
        }
        for (List<String> files : bySnapshot.values()) {
            long size = sizes.get(files.get(0));
            if (files.size() == 1 && total + size <= budget && total + size <= usable - usable / 10) {
                copied.add(files.get(0));
                total += size;
            }
        }
        return copied;
    }

    /**
     * Whether the file is the one the manifest names: its SHA-256, computed from the work directory's copy, or from the
     * repository (a streamed dump is read once for this, before it is read again into its
     * database: its definitions run as the superuser, and nothing of a file runs before it is checked).
     */
    boolean matches(String file) throws IOException {
        String expected = manifest.files().get(file).sha256();
        Path path = local.get(file);
        String actual;
        if (path != null) {
            actual = Checksums.of(path);
        } else if (file.equals(Manifest.GLOBALS)) {
            actual = Checksums.of(read(file));
        } else {
            try {
                actual = Checksums.parse(repository.dumpInto(manifest.files().get(file).snapshot(), manifest.path(file), Checksums.SHA256SUM,
                        "checking " + file));
            } catch (ResticException e) {
                throw new ResticException(file + " of backup '" + manifest.backupId() + "' cannot be read from snapshot "
                        + manifest.files().get(file).snapshot() + ": " + e.getMessage(), e.locked());
            }
        }
        return expected.equals(actual);
    }

    /** A small file's content (the roles). */
    String text(String file) throws IOException {
        return new String(read(file), StandardCharsets.UTF_8);
    }

    private byte[] read(String file) throws IOException {
        Path path = local.get(file);
        return path != null ? Files.readAllBytes(path) : repository.read(manifest.files().get(file).snapshot(), manifest.path(file));
    }

    /**
     * Gives a file to the program that reads it (which may stop once it has what it wants: {@code pg_restore -l} reads the
     * start of a dump), and returns what the program wrote.
     *
     * @param fromStdin the program reading the file from its stdin
     * @param fromFile  the same program reading a file of the work directory
     */
    String feed(String file, Pipeline.Stage fromStdin, Function<Path, Pipeline.Stage> fromFile, String what, Duration timeout) {
        Path path = local.get(file);
        if (path == null) {
            return repository.dumpInto(manifest.files().get(file).snapshot(), manifest.path(file), fromStdin, what);
        }
        Pipeline.Result result = Pipeline.run(List.of(fromFile.apply(path)), null, timeout);
        if (!result.ok()) {
            throw new ResticException(what + " failed: " + result.failure(), false);
        }
        return result.output();
    }

    /** As {@link #feed}, but what the programs did is returned whatever it was, for the caller to judge. */
    Pipeline.Result attempt(String file, Pipeline.Stage fromStdin, Function<Path, Pipeline.Stage> fromFile, Duration timeout) {
        Path path = local.get(file);
        List<Pipeline.Stage> stages = path == null
                ? List.of(repository.stage("dump", manifest.files().get(file).snapshot(), manifest.path(file)), fromStdin)
                : List.of(fromFile.apply(path));
        return Pipeline.run(stages, null, timeout);
    }

    /** A file of the restore's own (a listing for {@code pg_restore -L}) in the work directory, made if need be. */
    Path write(String name, String content) throws IOException {
        if (!Files.isDirectory(work)) {
            WorkDirectory.create(work);
        }
        Path file = work.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    @Override
    public void close() {
        WorkDirectory.deleteQuietly(work);
    }
}
