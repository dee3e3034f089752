package io.pgfleet.backup.run;

import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.backup.catalog.BackupRunRepository;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.micronaut.context.annotation.Value;
import io.pgfleet.backup.plan.BackupPlan;
import io.pgfleet.backup.plan.Manifest;
import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.backup.restic.ResticSave;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.validation.RetentionPolicy;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import java.util.LinkedHashSet;

/** A backup of an instance: the steps the class documentation of {@link BackupJob} describes. */
@Singleton
class BackupRun {

    private static final Logger LOG = LoggerFactory.getLogger(BackupRun.class);

    private final InstanceAccess driver;
    private final BackupSettings settings;
    private final PgTools tools;
    private final BackupConfigRepository configs;
    private final BackupRunRepository runs;
    private final BackupCatalog catalog;
    private final RunSupport support;
    private final Clock clock;
    private final int parallel;

    BackupRun(InstanceAccess driver, BackupSettings settings, PgTools tools, BackupConfigRepository configs, BackupRunRepository runs,
              BackupCatalog catalog, RunSupport support, Clock clock, @Value("${pgfleet.backup.parallel:2}") int parallel) {
        this.driver = driver;
        this.settings = settings;
        this.tools = tools;
        this.configs = configs;
        this.runs = runs;
        this.catalog = catalog;
        this.support = support;
        this.clock = clock;
        this.parallel = Math.max(1, parallel);
    }

    /** A backup; when it succeeds its manifest is kept in the catalog row. */
    Step backup(JobRow job, String backupId) {
        InstanceKey key = InstanceKey.of(job.instance());
        Optional<BackupConfigRow> config = configs.findById(job.instance());
        if (config.isEmpty()) {
            return Step.failed("instance " + key + " has no backup configuration: provision it with spec.backup.s3Bucket");
        }
        Optional<ResticCredentials> credentials = settings.credentials(key);
        if (credentials.isEmpty()) {
            return Step.failed("instance " + key + " has no backup credentials: give s3AccessKey, s3SecretKey and resticPassword in "
                    + "its document, or configure pgfleet.backup.default-credentials");
        }
        Optional<Endpoint> endpoint = driver.primary(key);
        if (endpoint.isEmpty()) {
            return Step.failed("instance " + key + " does not exist");
        }
        ResticRepository repository = settings.repository(config.get(), key, credentials.get());
        long start = System.nanoTime();
        LOG.info("backup {} of {} started", backupId, key);
        boolean retry = runs.findById(backupId).map(run -> run.startedAt() != null).orElse(false);
        runs.started(backupId, Instant.now(clock));
        List<String> made = Collections.synchronizedList(new ArrayList<>());
        Path work = settings.workDir().resolve(backupId);
        ResticSave manifestSave = null;
        try {
            repository.ensureInitialized();
            if (retry) {
                // An earlier attempt of this backup (the worker stopped half-way) may have left restic running, and
                // snapshots: the first are stopped before the second are forgotten, so none is added afterwards.
                int stopped = repository.stopLeftovers(backupId);
                if (stopped > 0) {
                    LOG.warn("stopped {} restic process(es) an earlier attempt of backup {} left running", stopped, backupId);
                }
                made.addAll(repository.snapshots("backup=" + backupId).stream().map(ResticRepository.Snapshot::id).toList());
                repository.forget(made);
                made.clear();
            }
            WorkDirectory.delete(work);
            InstanceCatalog instance = InstanceCatalog.read(endpoint.get());
            BackupPlan plan = settings.plan(instance.sizes());
            List<String> tags = List.of("pgfleet", "instance=" + key, "backup=" + backupId);
            List<String> manifestTags = new ArrayList<>(tags);
            manifestTags.add(ResticRepository.MANIFEST);
            // restic opens the repository for the manifest now, while the dumps run, and writes it at once at the end.
            manifestSave = repository.prepareBackup(Manifest.FILE, manifestTags);
            Map<String, Manifest.File> files = saveAll(job, repository, endpoint.get(), plan, tags, made, work);
            Manifest manifest = new Manifest(backupId, key.toString(), Instant.now(clock), instance.databases(), files, instance.roles())
                    .signed(settings.manifestKey(key));
            long manifestStart = System.nanoTime();
            ResticRepository.Saved saved = manifestSave.finish(manifest.toJson());
            manifestSave = null;
            made.clear();
            LOG.info("saved the manifest of backup {} in {} ms", backupId, (System.nanoTime() - manifestStart) / 1_000_000);
            runs.keepManifest(backupId, new String(manifest.toJson(), StandardCharsets.UTF_8));

            Map<String, Object> details = new LinkedHashMap<>();
            details.put("backupId", backupId);
            Map<String, String> snapshots = new LinkedHashMap<>();
            files.forEach((file, f) -> snapshots.put(file, f.snapshot()));
            snapshots.put(Manifest.FILE, saved.snapshotId());
            details.put("snapshots", snapshots);
            details.put("databases", instance.databases());
            details.put("bytes", files.values().stream().mapToLong(Manifest.File::bytes).sum());
            details.put("repository", repository.repository());
            String retention = retention(repository, config.get(), key);
            if (retention != null) {
                details.put("retention", retention);
            }
            long durationMs = (System.nanoTime() - start) / 1_000_000;
            details.put("durationMs", durationMs);
            return Step.done("backup " + backupId + " saved: " + instance.databases().size() + " databases and the roles", details)
                    .with(new SavedBackup(List.copyOf(instance.databases()), snapshots, (Long) details.get("bytes"), durationMs));
        } catch (ResticException e) {
            return e.locked() ? support.lockedStep(job, repository, e) : Step.failed(e.getMessage());
        } catch (SQLException e) {
            return Step.failed("the databases of " + key + " cannot be listed: " + credentials.get().mask(e.getMessage()));
        } catch (IOException | UncheckedIOException e) {
            return Step.failed("the work directory " + work + " cannot be used: " + e.getMessage());
        } finally {
            // After a failure: the manifest is not written and the snapshots made are forgotten (after a success both are done with).
            if (manifestSave != null) {
                manifestSave.cancel();
            }
            forgetQuietly(repository, made, manifestSave == null ? null : backupId);
            WorkDirectory.deleteQuietly(work);
        }
    }

    /**
     * Saves the roles and every database, {@code pgfleet.backup.parallel} programs at a time: the roles
     * and the small databases are dumped to the work directory (smallest first) and saved in one
     * snapshot; each large database streams from pg_dump into its own snapshot. The first failure
     * stops the rest (their programs are interrupted) and is thrown; the snapshots made are in
     * {@code made}, to be forgotten.
     */
    private Map<String, Manifest.File> saveAll(JobRow job, ResticRepository repository, Endpoint endpoint, BackupPlan plan,
                                               List<String> tags, List<String> made, Path work) throws IOException {
        WorkDirectory.create(work);
        // The named pipes of the streams' checksums: beside the work directory, which is saved whole.
        Path streams = work.resolveSibling(work.getFileName() + ".streams");
        Checksums.OfStream.stopLeftovers(streams); // what a killed attempt of this backup left
        WorkDirectory.delete(streams);
        WorkDirectory.create(streams);
        int count = plan.together().size() + plan.streamed().size();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        CompletionService<Map.Entry<String, Manifest.File>> saves = new ExecutorCompletionService<>(pool);
        Map<String, String> context = MDC.getCopyOfContextMap();
        Map<String, Manifest.File> files = new TreeMap<>();
        try {
            int dumps = 0;
            Path globals = work.resolve(Manifest.GLOBALS);
            saves.submit(SaveTasks.task(context, Manifest.GLOBALS, () -> {
                support.progress(job, "saving the roles", "globals");
                return toFile(tools.dumpGlobals(endpoint, globals), globals);
            }));
            dumps++;
            int number = 0;
            for (String database : plan.together()) {
                String message = "saving database " + database + " (" + (++number) + " of " + count + ")";
                Path file = work.resolve(Manifest.dumpFile(database));
                saves.submit(SaveTasks.task(context, Manifest.dumpFile(database), () -> {
                    support.progress(job, message, database);
                    return toFile(tools.dump(endpoint, database, file, repository.compresses()), file);
                }));
                dumps++;
            }
            for (String database : plan.streamed()) {
                String message = "saving database " + database + " (" + (++number) + " of " + count + ")";
                String name = Manifest.dumpFile(database);
                saves.submit(SaveTasks.task(context, name, () -> {
                    support.progress(job, message, database);
                    try (Checksums.OfStream checksum = Checksums.OfStream.open(streams, name)) {
                        ResticRepository.Saved saved = repository.backup(List.of(tools.dump(endpoint, database, repository.compresses()), checksum.tee()), name, tags);
                        made.add(saved.snapshotId());
                        return new Manifest.File(saved.snapshotId(), "/" + name, saved.bytes(), checksum.finish());
                    } catch (ResticException e) {
                        if (e.leftSnapshot() != null) {
                            made.add(e.leftSnapshot());
                        }
                        throw e;
                    }
                }));
            }
            int pending = dumps + plan.streamed().size();
            int dumped = 0;
            while (pending > 0) {
                Map.Entry<String, Manifest.File> done = SaveTasks.result(saves.take());
                pending--;
                files.put(done.getKey(), done.getValue());
                if (done.getValue().snapshot() == null && ++dumped == dumps) {
                    saveTogether(repository, work, tags, made, files);
                }
            }
            return files;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResticException("interrupted while saving", false);
        } finally {
            pool.shutdownNow();
            try {
                // Interrupted programs end (restic removes its lock) before the snapshots made are forgotten.
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            WorkDirectory.deleteQuietly(streams);
        }
    }

    /** The work directory's files in one snapshot; their entries in {@code files} get its id. */
    private static void saveTogether(ResticRepository repository, Path work, List<String> tags, List<String> made,
                                     Map<String, Manifest.File> files) {
        long start = System.nanoTime();
        ResticRepository.Saved saved = repository.backupDirectory(work, tags);
        made.add(saved.snapshotId());
        files.replaceAll((name, file) -> file.snapshot() == null ? new Manifest.File(saved.snapshotId(), file.path(), file.bytes(), file.sha256())
                : file);
        LOG.info("saved the roles and the small databases as snapshot {} in {} ms", saved.snapshotId(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Runs a dump into {@code file}; the file is saved later, with the others of the work directory. */
    private Manifest.File toFile(Pipeline.Stage dump, Path file) throws IOException {
        Pipeline.Result result = Pipeline.run(List.of(dump), null, settings.timeout());
        if (!result.ok()) {
            throw new ResticException(result.failure(), false);
        }
        return new Manifest.File(null, file.toAbsolutePath().toString(), Files.size(file), Checksums.of(file));
    }

    private String retention(ResticRepository repository, BackupConfigRow config, InstanceKey key) {
        if (config.cleanupStrategy() == null) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        RetentionPolicy policy = RetentionPolicy.parse(config.cleanupStrategy(), problems);
        if (policy == null) {
            return "not applied: " + String.join("; ", problems);
        }
        try {
            repository.applyRetention(policy.flags());
            Set<String> kept = new HashSet<>();
            repository.snapshots().forEach(s -> {
                kept.add(s.id());
                kept.add(s.shortId());
            });
            catalog.markForgotten(key.toString(), kept);
            return "applied: " + String.join(" ", policy.flags());
        } catch (ResticException e) {
            LOG.warn("retention after the backup failed: {}", e.getMessage());
            return "failed: " + e.getMessage();
        }
    }

    /**
     * Forgets the snapshots made; with {@code failedBackup}, every snapshot tagged with it too (a save stopped as it ended
     * may have written its snapshot after its task stopped listening).
     */
    private static void forgetQuietly(ResticRepository repository, List<String> snapshots, String failedBackup) {
        try {
            if (failedBackup != null) {
                snapshots.addAll(repository.snapshots("backup=" + failedBackup).stream().map(ResticRepository.Snapshot::id).toList());
            }
            repository.forget(List.copyOf(new LinkedHashSet<>(snapshots)));
        } catch (ResticException e) {
            LOG.warn("snapshots of a failed backup could not be forgotten (no manifest: they do not count): {}", e.getMessage());
        }
    }
}
