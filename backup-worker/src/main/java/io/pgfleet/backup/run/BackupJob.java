package io.pgfleet.backup.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.annotation.Value;
import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.validation.RetentionPolicy;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.clusters.InstanceWait;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.job.JobHandler;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Takes backups and restores them, one job at a time per instance.
 *
 * <p>A backup saves the roles ({@code globals.sql}) and every database ({@code <db>.dump}, pg_dump's
 * custom format). Small databases ({@link BackupPlan}) and the roles are dumped to a work directory
 * and saved in one snapshot; each large database streams from pg_dump into restic through a pipe, in
 * a snapshot of its own; a manifest snapshot naming them all comes last (its restic process starts
 * with the backup, so it is written at once). Every snapshot is tagged with the instance and the
 * backup id and has the instance as its host. A dump or save that fails fails the backup and the
 * snapshots it made are forgotten, so only complete sets (with a manifest) count. After a good
 * backup the retention policy runs over whole backups ({@link ResticRepository#applyRetention}). A
 * repository locked by a restic process that is gone is unlocked; one locked by a live process is waited for.
 *
 * <p>A restore reads a manifest (the latest, or the one of the backup asked for), creates the roles
 * the instance lacks, then recreates each database from its dump (or one database).
 * Config: {@code pgfleet.backup.ready-timeout} (default 10m): how long a restore waits for its
 * instance to exist; {@code pgfleet.backup.lock-timeout} (default 35m): how long a locked repository is waited for.
 */
@Singleton
public class BackupJob implements JobHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BackupJob.class);
    static final String BACKUP = "backup";
    static final String RESTORE = "restore";
    static final String PROVISION = "provision";

    private final InstanceAccess driver;
    private final BackupSettings settings;
    private final PgTools tools;
    private final BackupConfigRepository configs;
    private final BackupRunRepository runs;
    private final BackupResults results;
    private final StatusOutbox status;
    private final Clock clock;
    private final Duration readyTimeout;
    private final Duration lockTimeout;
    private final int parallel;

    public BackupJob(InstanceAccess driver, BackupSettings settings, PgTools tools, BackupConfigRepository configs, BackupRunRepository runs,
                     BackupResults results, StatusOutbox status, Clock clock,
                     @Value("${pgfleet.backup.ready-timeout:10m}") Duration readyTimeout,
                     @Value("${pgfleet.backup.lock-timeout:35m}") Duration lockTimeout,
                     @Value("${pgfleet.backup.parallel:2}") int parallel) {
        this.parallel = Math.max(1, parallel);
        this.driver = driver;
        this.settings = settings;
        this.tools = tools;
        this.configs = configs;
        this.runs = runs;
        this.results = results;
        this.status = status;
        this.clock = clock;
        this.readyTimeout = readyTimeout;
        this.lockTimeout = lockTimeout;
    }

    @Override
    public void step(JobRow job) {
        try {
            JsonNode spec = Json.mapper().readTree(job.spec());
            if (PROVISION.equals(job.commandType())) {
                results.record(job, provisioned(job, spec.get("message").asText()));
            } else if (BACKUP.equals(job.commandType())) {
                String backupId = spec.get("backupId").asText();
                String[] manifest = new String[1];
                Step step = backup(job, backupId, manifest);
                results.backupOutcome(job, backupId, step, manifest[0]);
            } else {
                results.record(job, restore(job, spec));
            }
        } catch (IOException e) {
            results.record(job, Step.failed("the job's description cannot be read: " + e.getMessage()));
        }
    }

    @Override
    public void fail(JobRow job, String reason) {
        if (BACKUP.equals(job.commandType())) {
            try {
                results.backupOutcome(job, Json.mapper().readTree(job.spec()).get("backupId").asText(), Step.failed(reason), null);
                return;
            } catch (IOException e) {
                // no backup id to record in the catalog: the job and its event below
            }
        }
        results.record(job, Step.failed(reason));
    }

    /** A provision's backup part: recorded at intake; it fails when backups are enabled but nothing can open the repository. */
    private Step provisioned(JobRow job, String message) {
        InstanceKey key = InstanceKey.of(job.instance());
        boolean enabled = configs.findById(job.instance()).map(BackupConfigRow::enabled).orElse(false);
        if (enabled && settings.credentials(key).isEmpty()) {
            return Step.failed("backups are enabled for " + key + " but there are no backup credentials: none are stored for it, none "
                    + "are in the document and no default is configured (give s3AccessKey, s3SecretKey and resticPassword, or configure "
                    + "pgfleet.backup.default-credentials); no backup will run until there are");
        }
        return Step.done(message, Map.of());
    }

    // ---- backup -------------------------------------------------------------------------------

    /** A backup; {@code manifest[0]} receives the manifest's JSON when it succeeds. */
    private Step backup(JobRow job, String backupId, String[] manifestOut) {
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
        ResticRepository.Save manifestSave = null;
        try {
            repository.ensureInitialized();
            if (retry) {
                // An earlier attempt of this backup (the worker stopped half-way) left snapshots: they do not count.
                made.addAll(repository.snapshots("backup=" + backupId).stream().map(ResticRepository.Snapshot::id).toList());
                forget(repository, made);
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
            Manifest manifest = new Manifest(backupId, key.toString(), Instant.now(clock), instance.databases(), files, instance.roles());
            long manifestStart = System.nanoTime();
            ResticRepository.Saved saved = manifestSave.finish(manifest.toJson());
            manifestSave = null;
            made.clear();
            LOG.info("saved the manifest of backup {} in {} ms", backupId, (System.nanoTime() - manifestStart) / 1_000_000);
            manifestOut[0] = new String(manifest.toJson(), StandardCharsets.UTF_8);

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
            details.put("durationMs", (System.nanoTime() - start) / 1_000_000);
            return Step.done("backup " + backupId + " saved: " + instance.databases().size() + " databases and the roles", details);
        } catch (ResticException e) {
            return e.locked() ? lockedStep(job, repository, e) : Step.failed(e.getMessage());
        } catch (SQLException e) {
            return Step.failed("the databases of " + key + " cannot be listed: " + credentials.get().mask(e.getMessage()));
        } catch (IOException | UncheckedIOException e) {
            return Step.failed("the work directory " + work + " cannot be used: " + e.getMessage());
        } finally {
            // After a failure: the manifest is not written and the snapshots made are forgotten (after a success both are done with).
            if (manifestSave != null) {
                manifestSave.cancel();
            }
            forgetQuietly(repository, made);
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
        int count = plan.together().size() + plan.streamed().size();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        CompletionService<Map.Entry<String, Manifest.File>> saves = new ExecutorCompletionService<>(pool);
        Map<String, String> context = MDC.getCopyOfContextMap();
        Map<String, Manifest.File> files = new TreeMap<>();
        try {
            int dumps = 0;
            Path globals = work.resolve(Manifest.GLOBALS);
            saves.submit(task(context, Manifest.GLOBALS, () -> {
                progress(job, "saving the roles", "globals");
                return toFile(tools.dumpGlobals(endpoint, globals), globals);
            }));
            dumps++;
            int number = 0;
            for (String database : plan.together()) {
                String message = "saving database " + database + " (" + (++number) + " of " + count + ")";
                Path file = work.resolve(Manifest.dumpFile(database));
                saves.submit(task(context, Manifest.dumpFile(database), () -> {
                    progress(job, message, database);
                    return toFile(tools.dump(endpoint, database, file), file);
                }));
                dumps++;
            }
            for (String database : plan.streamed()) {
                String message = "saving database " + database + " (" + (++number) + " of " + count + ")";
                String name = Manifest.dumpFile(database);
                saves.submit(task(context, name, () -> {
                    progress(job, message, database);
                    try {
                        ResticRepository.Saved saved = repository.backup(tools.dump(endpoint, database), name, tags);
                        made.add(saved.snapshotId());
                        return new Manifest.File(saved.snapshotId(), "/" + name, saved.bytes());
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
                Map.Entry<String, Manifest.File> done = result(saves.take());
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
        }
    }

    /** The work directory's files in one snapshot; their entries in {@code files} get its id. */
    private static void saveTogether(ResticRepository repository, Path work, List<String> tags, List<String> made,
                                     Map<String, Manifest.File> files) {
        long start = System.nanoTime();
        ResticRepository.Saved saved = repository.backupDirectory(work, tags);
        made.add(saved.snapshotId());
        files.replaceAll((name, file) -> file.snapshot() == null ? new Manifest.File(saved.snapshotId(), file.path(), file.bytes()) : file);
        LOG.info("saved the roles and the small databases as snapshot {} in {} ms", saved.snapshotId(), (System.nanoTime() - start) / 1_000_000);
    }

    private static Callable<Map.Entry<String, Manifest.File>> task(Map<String, String> context, String name, Callable<Manifest.File> save) {
        return () -> {
            if (context != null) {
                MDC.setContextMap(context);
            }
            long start = System.nanoTime();
            Manifest.File file;
            try {
                file = save.call();
            } catch (RuntimeException e) {
                LOG.warn("{} failed after {} ms: {}", name, (System.nanoTime() - start) / 1_000_000, e.getMessage());
                throw e;
            }
            LOG.info("{} {}: {} bytes in {} ms", file.snapshot() == null ? "dumped" : "saved as snapshot " + file.snapshot(), name,
                    file.bytes(), (System.nanoTime() - start) / 1_000_000);
            return Map.entry(name, file);
        };
    }

    /** Runs a dump into {@code file}; the file is saved later, with the others of the work directory. */
    private Manifest.File toFile(Pipeline.Stage dump, Path file) throws IOException {
        Pipeline.Result result = Pipeline.run(List.of(dump), null, settings.timeout());
        if (!result.ok()) {
            throw new ResticException(result.failure(), false);
        }
        return new Manifest.File(null, file.toAbsolutePath().toString(), Files.size(file));
    }

    /** A finished save's result, or its failure thrown as it was. */
    private static Map.Entry<String, Manifest.File> result(Future<Map.Entry<String, Manifest.File>> done) throws InterruptedException {
        try {
            return done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
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
            results.markForgotten(key.toString(), kept);
            return "applied: " + String.join(" ", policy.flags());
        } catch (ResticException e) {
            LOG.warn("retention after the backup failed: {}", e.getMessage());
            return "failed: " + e.getMessage();
        }
    }

    private Step lockedStep(JobRow job, ResticRepository repository, ResticException e) {
        try {
            repository.unlockStale();
        } catch (ResticException ignored) {
            // reported by the next attempt
        }
        if (job.createdAt().plus(lockTimeout).isBefore(Instant.now(clock))) {
            return Step.failed(e.getMessage());
        }
        return Step.waitFor("the repository is locked by another restic process; waiting", Duration.ofSeconds(5));
    }

    private static void forget(ResticRepository repository, List<String> snapshots) {
        repository.forget(snapshots);
        snapshots.clear();
    }

    private static void forgetQuietly(ResticRepository repository, List<String> snapshots) {
        try {
            repository.forget(snapshots);
        } catch (ResticException e) {
            LOG.warn("snapshots of a failed backup could not be forgotten (no manifest: they do not count): {}", e.getMessage());
        }
    }

    private void progress(JobRow job, String message, String step) {
        status.command(job.commandId(), job.commandType(), InstanceKey.of(job.instance()), Phase.PROGRESSING,
                "Progressing", message, step, null, null);
    }

    // ---- restore ------------------------------------------------------------------------------

    private Step restore(JobRow job, JsonNode spec) {
        InstanceKey target = InstanceKey.of(job.instance());
        InstanceKey source = InstanceKey.parse(spec.path("from").asText(job.instance()), target.namespace());
        String wanted = spec.hasNonNull("backup") ? spec.get("backup").asText() : null;
        String onlyDatabase = spec.hasNonNull("database") ? spec.get("database").asText() : null;

        Optional<BackupConfigRow> config = configs.findById(source.toString());
        if (config.isEmpty()) {
            return Step.failed("instance " + source + " has no backup configuration, so it has no backups to restore");
        }
        Optional<ResticCredentials> credentials = settings.credentials(source);
        if (credentials.isEmpty()) {
            return Step.failed("instance " + source + " has no backup credentials");
        }
        Optional<Endpoint> endpoint = driver.primary(target);
        Optional<Step> absent = new InstanceWait(readyTimeout).untilItExists(target, endpoint, job.createdAt(), Instant.now(clock));
        if (absent.isPresent()) {
            return absent.get();
        }
        ResticRepository repository = settings.repository(config.get(), source, credentials.get());
        long start = System.nanoTime();
        try {
            // The catalog knows the backups this service made; the repository is asked only about others.
            Optional<Manifest> known = catalogManifest(source, wanted);
            Manifest manifest;
            if (known.isPresent()) {
                manifest = known.get();
            } else {
                Optional<Manifest> inRepository = repositoryManifest(repository, wanted);
                if (inRepository.isEmpty()) {
                    return Step.failed(wanted == null ? "instance " + source + " has no complete backup"
                            : "no complete backup '" + wanted + "' of instance " + source);
                }
                manifest = inRepository.get();
            }
            if (onlyDatabase != null && !manifest.databases().contains(onlyDatabase)) {
                return Step.failed("backup " + manifest.backupId() + " has no database '" + onlyDatabase + "' (it has "
                        + String.join(", ", manifest.databases()) + ")");
            }
            List<String> databases = onlyDatabase == null ? manifest.databases() : List.of(onlyDatabase);

            Set<String> existing = InstanceCatalog.roles(endpoint.get());
            // Only missing roles are created (existing ones are left as they are): the roles are read only when some are missing.
            boolean roles = manifest.roles() == null || !existing.containsAll(manifest.roles());
            List<String> needed = new ArrayList<>(roles ? List.of(Manifest.GLOBALS) : List.of());
            databases.forEach(database -> needed.add(Manifest.dumpFile(database)));
            long bytes = 0;
            try (BackupFiles files = BackupFiles.open(repository, manifest, needed, settings.workDir().resolve("restore-" + job.id()))) {
                if (roles) {
                    progress(job, "restoring the roles of backup " + manifest.backupId(), "globals");
                    String sql = Globals.forInstance(files.text(Manifest.GLOBALS), existing);
                    Pipeline.Result applied = Pipeline.run(
                            List.of(tools.psql(endpoint.get(), "postgres")), sql.getBytes(StandardCharsets.UTF_8), settings.timeout());
                    if (!applied.ok()) {
                        return Step.failed("restoring the roles failed: " + credentials.get().mask(applied.failure()));
                    }
                }
                for (int i = 0; i < databases.size(); i++) {
                    String database = databases.get(i);
                    progress(job, "restoring database " + database + " (" + (i + 1) + " of " + databases.size() + ")", database);
                    if (!database.equals("postgres")) {
                        dropDatabase(endpoint.get(), database);
                    }
                    files.restore(Manifest.dumpFile(database), tools.restore(endpoint.get(), database),
                            file -> tools.restore(endpoint.get(), database, file), "restoring database " + database, settings.timeout());
                    bytes += manifest.files().get(Manifest.dumpFile(database)).bytes();
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("backupId", manifest.backupId());
            details.put("from", source.toString());
            details.put("databases", databases);
            details.put("bytes", bytes);
            details.put("durationMs", (System.nanoTime() - start) / 1_000_000);
            return Step.done("backup " + manifest.backupId() + " of " + source + " restored: " + String.join(", ", databases), details);
        } catch (ResticException e) {
            if (e.locked()) {
                return lockedStep(job, repository, e);
            }
            return Step.failed(e.getMessage());
        } catch (SQLException e) {
            return Step.failed("instance " + target + ": " + credentials.get().mask(e.getMessage()));
        } catch (IOException e) {
            return Step.failed("the work directory cannot be used: " + e.getMessage());
        }
    }

    /** From the catalog: the latest good backup of the instance still in the repository, or the one asked for. */
    private Optional<Manifest> catalogManifest(InstanceKey source, String wanted) {
        return runs.findByInstanceOrderByCreatedAtDesc(source.toString()).stream()
                .filter(run -> "SUCCEEDED".equals(run.status()) && !run.forgotten() && run.manifest() != null)
                .filter(run -> wanted == null || run.id().equals(wanted)
                        || BackupResults.snapshots(run).values().stream().anyMatch(id -> id.startsWith(wanted) || wanted.startsWith(id)))
                .findFirst()
                .map(run -> Manifest.fromJson(run.manifest().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * From the repository: the manifest of the backup asked for (backup id, or the id of any of its
     * snapshots), or the latest. A manifest snapshot that does not read as one is passed over: the
     * manifest's restic saves what it got if the worker dies while giving it the manifest (that
     * backup's next attempt forgets it).
     */
    private static Optional<Manifest> repositoryManifest(ResticRepository repository, String wanted) {
        List<ResticRepository.Snapshot> snapshots = repository.snapshots();
        String backupId = wanted == null ? null
                : snapshots.stream().filter(s -> s.id().startsWith(wanted)).map(s -> s.tag("backup")).findFirst().orElse(wanted);
        List<ResticRepository.Snapshot> manifests = snapshots.stream()
                .filter(s -> s.tags().contains(ResticRepository.MANIFEST) && (backupId == null || backupId.equals(s.tag("backup"))))
                .sorted(Comparator.comparing(ResticRepository.Snapshot::time).reversed()).toList();
        for (ResticRepository.Snapshot snapshot : manifests) {
            try {
                return Optional.of(Manifest.fromJson(repository.read(snapshot.id(), "/" + Manifest.FILE)));
            } catch (IllegalStateException e) {
                LOG.warn("snapshot {} is tagged as a manifest but does not read as one, passed over: {}", snapshot.shortId(), e.getMessage());
            }
        }
        return Optional.empty();
    }

    private static void dropDatabase(Endpoint endpoint, String database) throws SQLException {
        try (Connection connection = InstanceCatalog.connect(endpoint); Statement sql = connection.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS \"" + database.replace("\"", "\"\"") + "\" WITH (FORCE)");
        }
    }
}
