package io.pgfleet.backup.run;

import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.backup.catalog.BackupRunRepository;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.pgfleet.backup.plan.Manifest;
import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.restic.ResticRepository;
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
import java.util.ArrayList;
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
import java.util.function.Consumer;
import java.time.Duration;
import io.pgfleet.backup.catalog.BackupRunRow;
import io.pgfleet.backup.plan.BackupProgress;
import io.pgfleet.backup.plan.BackupSteps;

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

    BackupRun(InstanceAccess driver, BackupSettings settings, PgTools tools, BackupConfigRepository configs, BackupRunRepository runs,
              BackupCatalog catalog, RunSupport support) {
        this.driver = driver;
        this.settings = settings;
        this.tools = tools;
        this.configs = configs;
        this.runs = runs;
        this.catalog = catalog;
        this.support = support;
    }

    /**
     * One bounded step of a backup ({@link BackupSteps}): observes the run's recorded progress, plans the next step, takes
     * it. Steps: plan, save, write the manifest, finish; when the last succeeds the manifest is kept in the catalog row.
     * A step that fails forgets every snapshot of the backup: only complete sets (with a manifest) count.
     */
    Step backup(JobRow job, String backupId) {
        return backup(job, backupId, null);
    }

    /** Whether the backup took its first step (its plan is recorded): what comes before it is done. */
    boolean begun(String backupId) {
        return runs.findById(backupId).map(BackupRunRow::progress).isPresent();
    }

    /**
     * One step, as {@link #backup(JobRow, String)}; {@code baseBackup}: what the WAL archive's base backup, taken just
     * before the first step, said (kept with the plan, told in the answer).
     */
    Step backup(JobRow job, String backupId, BackupProgress.BaseBackup baseBackup) {
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
        Optional<BackupRunRow> run = runs.findById(backupId);
        Optional<BackupProgress> progress = run.map(BackupRunRow::progress).map(BackupProgress::fromJson);
        BackupSteps.Next next = BackupSteps.next(progress);
        Step step;
        try {
            if (next instanceof BackupSteps.Next.Plan) {
                step = plan(backupId, key, endpoint.get(), repository, baseBackup);
            } else if (next instanceof BackupSteps.Next.Save save) {
                step = save(job, backupId, key, repository, endpoint.get(), progress.get(), save);
            } else if (next instanceof BackupSteps.Next.WriteManifest manifest) {
                step = writeManifest(backupId, key, repository, progress.get(), manifest.cleanUpFirst());
            } else {
                step = finish(backupId, key, repository, config.get(), progress.get(), run.get());
            }
        } catch (ResticException e) {
            step = e.locked() ? support.lockedStep(job, repository, e) : Step.failed(e.getMessage());
        } catch (SQLException e) {
            step = Step.failed("the databases of " + key + " cannot be listed: " + credentials.get().mask(e.getMessage()));
        } catch (IOException | UncheckedIOException e) {
            step = Step.failed("the work directory of backup " + backupId + " cannot be used: " + e.getMessage());
        }
        if (step.outcome() == Step.Outcome.FAILED) {
            forgetQuietly(repository, backupId);
        }
        return step;
    }

    /** The first step: the repository opened, the instance's databases and roles read, how each database is saved chosen. */
    private Step plan(String backupId, InstanceKey key, Endpoint endpoint, ResticRepository repository, BackupProgress.BaseBackup baseBackup)
            throws SQLException {
        LOG.info("backup {} of {} started", backupId, key);
        runs.started(backupId, support.now());
        repository.ensureInitialized();
        InstanceCatalog instance = InstanceCatalog.read(endpoint);
        BackupProgress progress = BackupProgress.planned(instance.databases(), instance.roles(), settings.plan(instance.sizes()), baseBackup);
        runs.progress(backupId, progress.toJson());
        return Step.next("backup " + backupId + ": " + progress.databases().size() + " databases and the roles to save");
    }

    /**
     * Dumps and saves the files not saved yet ({@link #saveAll}), each recorded as it is saved; first, when an attempt of
     * this step was killed, stops the restic processes it left and forgets the snapshots it made and never recorded.
     */
    private Step save(JobRow job, String backupId, InstanceKey key, ResticRepository repository, Endpoint endpoint, BackupProgress progress,
                      BackupSteps.Next.Save save) throws IOException {
        if (save.cleanUpFirst()) {
            cleanUp(repository, backupId, progress, "save");
        }
        runs.progress(backupId, progress.underWay(BackupProgress.SAVE).toJson());
        Path work = settings.workDir().resolve(backupId);
        try {
            WorkDirectory.delete(work);
            BackupProgress[] saved = {progress.underWay(BackupProgress.SAVE)};
            saveAll(job, endpoint, progress, save.files(), new Saving(repository, work, tags(key, backupId)), files -> {
                saved[0] = saved[0].saved(files);
                runs.progress(backupId, saved[0].toJson());
            });
            runs.progress(backupId, saved[0].underWay(null).toJson());
            return Step.next("backup " + backupId + ": " + save.files().size() + " file" + (save.files().size() == 1 ? "" : "s") + " saved");
        } finally {
            WorkDirectory.deleteQuietly(work);
        }
    }

    /** Writes the manifest naming every saved file (authenticated with the instance's manifest key) and keeps it in the catalog row. */
    private Step writeManifest(String backupId, InstanceKey key, ResticRepository repository, BackupProgress progress, boolean cleanUpFirst) {
        if (cleanUpFirst) {
            cleanUp(repository, backupId, progress, "manifest");
        }
        runs.progress(backupId, progress.underWay(BackupProgress.MANIFEST).toJson());
        Manifest manifest = new Manifest(backupId, key.toString(), support.now(), progress.databases(), progress.files(), progress.roles())
                .signed(settings.manifestKey(key));
        long start = System.nanoTime();
        List<String> tags = new ArrayList<>(tags(key, backupId));
        tags.add(ResticRepository.MANIFEST);
        ResticRepository.Saved saved = repository.prepareBackup(Manifest.FILE, tags).finish(manifest.toJson());
        runs.keepManifest(backupId, new String(manifest.toJson(), StandardCharsets.UTF_8), progress.manifestSaved(saved.snapshotId()).toJson());
        LOG.info("saved the manifest of backup {} in {} ms", backupId, (System.nanoTime() - start) / 1_000_000);
        return Step.next("backup " + backupId + ": manifest saved");
    }

    /** The last step: the retention policy over whole backups, and the result. */
    private Step finish(String backupId, InstanceKey key, ResticRepository repository, BackupConfigRow config, BackupProgress progress,
                        BackupRunRow run) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("backupId", backupId);
        Map<String, String> snapshots = new LinkedHashMap<>();
        progress.files().forEach((file, f) -> snapshots.put(file, f.snapshot()));
        snapshots.put(Manifest.FILE, progress.manifestSnapshot());
        details.put("snapshots", snapshots);
        details.put("databases", progress.databases());
        long bytes = progress.files().values().stream().mapToLong(Manifest.File::bytes).sum();
        details.put("bytes", bytes);
        details.put("repository", repository.repository());
        String retention = retention(repository, config, key);
        if (retention != null) {
            details.put("retention", retention);
        }
        long durationMs = run.startedAt() == null ? 0 : Duration.between(run.startedAt(), support.now()).toMillis();
        details.put("durationMs", durationMs);
        String message = "backup " + backupId + " saved: " + progress.databases().size() + " databases and the roles";
        if (progress.baseBackup() != null) {
            details.putAll(progress.baseBackup().details());
            message += "; " + progress.baseBackup().message();
        }
        return Step.done(message, details).with(new SavedBackup(progress.databases(), snapshots, bytes, durationMs));
    }

    /**
     * After a killed attempt of a step: the restic processes it left running stopped (before anything is forgotten, so
     * that none adds a snapshot afterwards), then every snapshot tagged with the backup that the progress does not record
     * forgotten.
     */
    private static void cleanUp(ResticRepository repository, String backupId, BackupProgress progress, String step) {
        int stopped = repository.stopLeftovers(backupId);
        if (stopped > 0) {
            LOG.warn("stopped {} restic process(es) a killed attempt of backup {} left running ({} step)", stopped, backupId, step);
        }
        Set<String> recorded = progress.snapshots();
        List<String> unrecorded = repository.snapshots("backup=" + backupId).stream()
                .filter(s -> !recorded.contains(s.id()) && !recorded.contains(s.shortId())).map(ResticRepository.Snapshot::id).toList();
        if (!unrecorded.isEmpty()) {
            LOG.warn("forgetting {} snapshot(s) a killed attempt of backup {} made and never recorded ({} step)", unrecorded.size(), backupId, step);
            repository.forget(unrecorded);
        }
    }

    /** Where a step saves: the repository, the work directory of the dumps saved together, the snapshots' tags. */
    private record Saving(ResticRepository repository, Path work, List<String> tags) {
    }

    private static List<String> tags(InstanceKey key, String backupId) {
        return List.of("pgfleet", "instance=" + key, "backup=" + backupId);
    }

    /**
     * Saves these files of the set, as many programs at a time as configured: the roles and the small
     * databases are dumped to the work directory (smallest first) and saved in one snapshot (all of them again when one
     * is missing); each large database streams from pg_dump into its own snapshot. Each snapshot's files go to
     * {@code record} as soon as it is saved. The first failure stops the rest (their programs are interrupted) and is thrown.
     */
    private void saveAll(JobRow job, Endpoint endpoint, BackupProgress progress, List<String> missing, Saving into,
                         Consumer<Map<String, Manifest.File>> record) throws IOException {
        ResticRepository repository = into.repository();
        Path work = into.work();
        List<String> tags = into.tags();
        WorkDirectory.create(work);
        // The named pipes of the streams' checksums: beside the work directory, which is saved whole.
        Path streams = work.resolveSibling(work.getFileName() + ".streams");
        Checksums.OfStream.stopLeftovers(streams); // what a killed attempt of this backup left
        WorkDirectory.delete(streams);
        WorkDirectory.create(streams);
        boolean together = progress.together().stream().anyMatch(missing::contains);
        List<String> streamed = progress.plan().streamed().stream().filter(database -> missing.contains(Manifest.dumpFile(database))).toList();
        int count = (together ? progress.plan().together().size() : 0) + streamed.size();
        ExecutorService pool = Executors.newFixedThreadPool(settings.run().parallel());
        CompletionService<Map.Entry<String, Manifest.File>> saves = new ExecutorCompletionService<>(pool);
        Map<String, String> context = MDC.getCopyOfContextMap();
        try {
            int dumps = 0;
            int number = 0;
            if (together) {
                Path globals = work.resolve(Manifest.GLOBALS);
                saves.submit(SaveTasks.task(context, Manifest.GLOBALS, () -> {
                    support.progress(job, "saving the roles", "globals");
                    return toFile(tools.dumpGlobals(endpoint, globals), globals);
                }));
                dumps++;
                for (String database : progress.plan().together()) {
                    String message = "saving database " + database + " (" + (++number) + " of " + count + ")";
                    Path file = work.resolve(Manifest.dumpFile(database));
                    saves.submit(SaveTasks.task(context, Manifest.dumpFile(database), () -> {
                        support.progress(job, message, database);
                        try (TableRows rows = TableRows.open(endpoint, database)) {
                            Map<String, Long> counted = rows.count();
                            return toFile(tools.dump(endpoint, database, file, repository.compresses(), rows.snapshot()), file).withRows(counted);
                        }
                    }));
                    dumps++;
                }
            }
            for (String database : streamed) {
                String message = "saving database " + database + " (" + (++number) + " of " + count + ")";
                String name = Manifest.dumpFile(database);
                saves.submit(SaveTasks.task(context, name, () -> {
                    support.progress(job, message, database);
                    try (Checksums.OfStream checksum = Checksums.OfStream.open(streams, name); TableRows rows = TableRows.open(endpoint, database)) {
                        Map<String, Long> counted = rows.count();
                        ResticRepository.Saved saved = repository.backup(List.of(tools.dump(endpoint, database, repository.compresses(),
                                rows.snapshot()), checksum.tee()), name, tags);
                        return new Manifest.File(saved.snapshotId(), "/" + name, saved.bytes(), checksum.finish(), counted);
                    }
                }));
            }
            Map<String, Manifest.File> dumped = new TreeMap<>();
            for (int pending = dumps + streamed.size(); pending > 0; pending--) {
                Map.Entry<String, Manifest.File> done = SaveTasks.result(saves.take());
                if (done.getValue().snapshot() != null) {
                    record.accept(Map.of(done.getKey(), done.getValue()));
                } else {
                    dumped.put(done.getKey(), done.getValue());
                    if (dumped.size() == dumps) {
                        record.accept(saveTogether(repository, work, tags, dumped));
                    }
                }
            }
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

    /** The work directory's files in one snapshot: the dumped files, each with its id. */
    private static Map<String, Manifest.File> saveTogether(ResticRepository repository, Path work, List<String> tags,
                                                           Map<String, Manifest.File> dumped) {
        long start = System.nanoTime();
        ResticRepository.Saved saved = repository.backupDirectory(work, tags);
        Map<String, Manifest.File> files = new TreeMap<>();
        dumped.forEach((name, file) -> files.put(name, file.savedIn(saved.snapshotId())));
        LOG.info("saved the roles and the small databases as snapshot {} in {} ms", saved.snapshotId(), (System.nanoTime() - start) / 1_000_000);
        return files;
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
     * After a failed step: forgets every snapshot tagged with the backup (a save stopped as it ended may have written its
     * snapshot after its task stopped listening), so that nothing of a set without a manifest stays.
     */
    private static void forgetQuietly(ResticRepository repository, String failedBackup) {
        try {
            repository.forget(repository.snapshots("backup=" + failedBackup).stream().map(ResticRepository.Snapshot::id).toList());
        } catch (ResticException e) {
            LOG.warn("snapshots of a failed backup could not be forgotten (no manifest: they do not count): {}", e.getMessage());
        }
    }
}
