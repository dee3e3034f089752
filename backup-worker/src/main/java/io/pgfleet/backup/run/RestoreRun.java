package io.pgfleet.backup.run;

import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.backup.catalog.BackupRunRepository;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.backup.plan.Globals;
import io.pgfleet.backup.plan.Manifest;
import io.pgfleet.backup.plan.RestoreChoice;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.restic.ResticException;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.clusters.InstanceWait;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A restore: a manifest (the latest or the one asked for), the roles the instance lacks, then each database (or one). */
@Singleton
class RestoreRun {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreRun.class);
    /** How a restore that refuses what it read begins. */
    static final String NOT_OURS = "not a backup made by pgfleet";
    private static final String MAINTENANCE = "postgres";

    private final InstanceAccess driver;
    private final BackupSettings settings;
    private final PgTools tools;
    private final BackupConfigRepository configs;
    private final BackupRunRepository runs;
    private final RunSupport support;

    RestoreRun(InstanceAccess driver, BackupSettings settings, PgTools tools, BackupConfigRepository configs, BackupRunRepository runs,
               RunSupport support) {
        this.driver = driver;
        this.settings = settings;
        this.tools = tools;
        this.configs = configs;
        this.runs = runs;
        this.support = support;
    }


    /** A restore of what the job's spec names. */
    Step restore(JobRow job, JsonNode spec) {
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
        Optional<Step> absent = new InstanceWait(settings.run().readyTimeout()).untilItExists(target, endpoint, job.createdAt(), support.now());
        if (absent.isPresent()) {
            return absent.get();
        }
        ResticRepository repository = settings.repository(config.get(), source, credentials.get());
        try {
            Choice choice = choose(source, wanted, repository);
            if (choice.refusal() != null) {
                return Step.failed(choice.refusal());
            }
            Manifest manifest = choice.manifest();
            if (onlyDatabase != null && !manifest.databases().contains(onlyDatabase)) {
                return Step.failed("backup " + manifest.backupId() + " has no database '" + onlyDatabase + "' (it has "
                        + String.join(", ", manifest.databases()) + ")");
            }
            List<String> databases = onlyDatabase == null ? manifest.databases() : List.of(onlyDatabase);
            return load(job, new Source(source, repository, credentials.get()), manifest, databases,
                    new Target(endpoint.get(), "instance " + target, null));
        } catch (ResticException e) {
            if (e.locked()) {
                return support.lockedStep(job, repository, e);
            }
            return Step.failed(e.getMessage());
        }
    }

    /** The repository of {@code instance}'s backups, opened with its credentials; empty when it has no backup configuration or credentials. */
    Optional<Source> source(InstanceKey instance) {
        Optional<BackupConfigRow> config = configs.findById(instance.toString());
        Optional<ResticCredentials> credentials = settings.credentials(instance);
        if (config.isEmpty() || credentials.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Source(instance, settings.repository(config.get(), instance, credentials.get()), credentials.get()));
    }

    /** The repository a restore reads, whose instance it is, and the credentials that open it (whose values are masked in messages). */
    record Source(InstanceKey instance, ResticRepository repository, ResticCredentials credentials) {
    }

    /**
     * The server a restore loads into.
     *
     * @param name       how a failure names it
     * @param loginGroup a role the restore's temporary logins join (a drill's scratch server admits its members); {@code null}: none
     */
    record Target(Endpoint server, String name, String loginGroup) {
    }

    /** The manifest chosen, or why none can be. */
    record Choice(Manifest manifest, String refusal) {
    }

    /**
     * The manifest of the backup asked for (or the latest): from the catalog, else from the repository, where it is
     * believed only when it carries the instance's key; refused when it names anything pgfleet does not write.
     */
    Choice choose(InstanceKey source, String wanted, ResticRepository repository) {
        // The catalog knows the backups this service made; the repository is asked only about others.
        Optional<Manifest> known = catalogManifest(source, wanted);
        Manifest manifest;
        if (known.isPresent()) {
            manifest = known.get();
        } else {
            Optional<Manifest> inRepository = repositoryManifest(repository, wanted);
            if (inRepository.isEmpty()) {
                return new Choice(null, wanted == null ? "instance " + source + " has no complete backup"
                        : "no complete backup '" + wanted + "' of instance " + source);
            }
            manifest = inRepository.get();
            // What the repository says is believed only when it carries this instance's key: its password is the tenant's.
            Optional<byte[]> key = settings.existingManifestKey(source);
            if (key.isEmpty() || !manifest.authenticatedBy(key.get())) {
                return new Choice(null, NOT_OURS + ": the manifest of backup '" + manifest.backupId() + "' in the repository of " + source
                        + " is not authenticated with the key of " + source + "; nothing was restored");
            }
        }
        List<String> problems = manifest.problems();
        if (!problems.isEmpty()) {
            return new Choice(null, NOT_OURS + ": " + String.join("; ", problems) + "; nothing was restored");
        }
        return new Choice(manifest, null);
    }

    /**
     * Loads {@code databases} of the backup (and the roles the target server lacks) into that server: every file is
     * checked against the manifest's checksum before any of it is loaded; each database (but the maintenance one) is
     * loaded beside the one it replaces and put in its place with the others in one transaction. Done says the backup, the
     * databases, the bytes and the milliseconds.
     */
    Step load(JobRow job, Source from, Manifest manifest, List<String> databases, Target target) {
        Endpoint endpoint = target.server();
        ResticCredentials credentials = from.credentials();
        long start = System.nanoTime();
        try {
            Set<String> existing = InstanceCatalog.roles(endpoint);
            // Only missing roles are created (existing ones are left as they are): the roles are read only when some are missing.
            boolean roles = manifest.roles() == null || !existing.containsAll(manifest.roles());
            List<String> needed = new ArrayList<>(roles ? List.of(Manifest.GLOBALS) : List.of());
            databases.forEach(database -> needed.add(manifest.dumpFileOf(database)));
            long bytes = 0;
            try (BackupFiles files = BackupFiles.open(from.repository(), manifest, needed, settings.workDir().resolve("restore-" + job.id()),
                    settings.workBudget())) {
                // Every file is checked before any of it reaches the instance.
                for (String file : needed) {
                    if (manifest.files().get(file).sha256() == null) {
                        LOG.warn("{} of backup {} was made before checksums; it is restored unchecked", file, manifest.backupId());
                    } else if (!files.matches(file)) {
                        return Step.failed(NOT_OURS + ": " + file + " of backup '" + manifest.backupId() + "' is not the file its manifest "
                                + "names (its SHA-256 differs); nothing was restored");
                    }
                }
                if (roles) {
                    support.progress(job, "restoring the roles of backup " + manifest.backupId(), "globals");
                    String sql;
                    try {
                        sql = Globals.forInstance(files.text(Manifest.GLOBALS), existing);
                    } catch (IllegalArgumentException e) {
                        return Step.failed(NOT_OURS + ": " + e.getMessage() + "; nothing was restored");
                    }
                    Optional<String> refused = applyRoles(endpoint, sql);
                    if (refused.isPresent()) {
                        return Step.failed("restoring the roles failed: " + credentials.mask(refused.get()));
                    }
                }
                DatabaseRestore restore = new DatabaseRestore(endpoint, tools, files, String.valueOf(job.id()), settings.timeout(), target.loginGroup());
                List<String> staged = databases.stream().filter(database -> !database.equals(MAINTENANCE)).toList();
                Map<String, String> listings = new LinkedHashMap<>();
                restore.dropLeftovers(staged);
                boolean swapped = false;
                try {
                    for (String database : staged) {
                        support.progress(job, "restoring database " + database + " (" + (listings.size() + 1) + " of " + databases.size()
                                + ") beside the one it replaces", database);
                        listings.put(database, restore.stage(database, manifest.dumpFileOf(database)));
                        bytes += manifest.files().get(manifest.dumpFileOf(database)).bytes();
                    }
                    support.progress(job, "putting the restored databases in place of the ones they replace", "swap");
                    long swapStart = System.nanoTime();
                    restore.swap(staged);
                    LOG.info("{} put in place in {} ms", String.join(", ", staged), (System.nanoTime() - swapStart) / 1_000_000);
                    swapped = true;
                } catch (DatabaseRestore.Refused e) {
                    return Step.failed(e.getMessage() + "; no database was changed");
                } catch (ResticException e) {
                    if (e.locked()) {
                        throw e;
                    }
                    return Step.failed(credentials.mask(e.getMessage()) + "; no database was changed");
                } finally {
                    if (!swapped) {
                        dropQuietly(restore, staged);
                    }
                }
                for (String database : staged) {
                    restore.properties(database, manifest.dumpFileOf(database), listings.get(database));
                }
                if (databases.contains(MAINTENANCE)) {
                    support.progress(job, "restoring database " + MAINTENANCE + " over itself", MAINTENANCE);
                    restore.restoreInPlace(manifest.dumpFileOf(MAINTENANCE));
                    bytes += manifest.files().get(manifest.dumpFileOf(MAINTENANCE)).bytes();
                }
            } catch (DatabaseRestore.Refused e) {
                return Step.failed(e.getMessage());
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("backupId", manifest.backupId());
            details.put("from", from.instance().toString());
            details.put("databases", databases);
            details.put("bytes", bytes);
            details.put("durationMs", (System.nanoTime() - start) / 1_000_000);
            return Step.done("backup " + manifest.backupId() + " of " + from.instance() + " restored: " + String.join(", ", databases), details);
        } catch (ResticException e) {
            if (e.locked()) {
                return support.lockedStep(job, from.repository(), e);
            }
            return Step.failed(e.getMessage());
        } catch (SQLException e) {
            return Step.failed(target.name() + ": " + credentials.mask(e.getMessage()));
        } catch (IOException e) {
            return Step.failed("the work directory cannot be used: " + e.getMessage());
        }
    }

    /** Drops the staging databases of a restore that did not put them in place; what is left, a retry drops. */
    private static void dropQuietly(DatabaseRestore restore, List<String> staged) {
        try {
            restore.dropLeftovers(staged);
        } catch (SQLException e) {
            LOG.warn("the staging databases of a restore that failed are left for its retry: {}", e.getMessage());
        }
    }

    /** From the catalog: the latest good backup of the instance still in the repository, or the one asked for. */
    private Optional<Manifest> catalogManifest(InstanceKey source, String wanted) {
        return RestoreChoice.fromCatalog(runs.findByInstanceOrderByCreatedAtDesc(source.toString()), wanted)
                .map(run -> Manifest.fromJson(run.manifest().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * From the repository: the manifest of the backup asked for (backup id, or the id of any of its
     * snapshots), or the latest. A manifest snapshot that does not read as one is passed over: the
     * manifest's restic saves what it got if the worker dies while giving it the manifest (that
     * backup's next attempt forgets it).
     */
    private static Optional<Manifest> repositoryManifest(ResticRepository repository, String wanted) {
        List<ResticRepository.Snapshot> manifests = RestoreChoice.manifests(repository.snapshots(), wanted);
        for (ResticRepository.Snapshot snapshot : manifests) {
            try {
                return Optional.of(Manifest.fromJson(repository.read(snapshot.id(), "/" + Manifest.FILE)));
            } catch (IllegalStateException e) {
                LOG.warn("snapshot {} is tagged as a manifest but does not read as one, passed over: {}", snapshot.shortId(), e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Runs the roles' SQL as SQL statements through JDBC, never through {@code psql}: nothing in it can be a psql
     * meta-command ({@code \\!}, {@code \\copy}, {@code \\i}); {@link Globals} refuses a file that holds one.
     */
    private static Optional<String> applyRoles(Endpoint endpoint, String sql) throws SQLException {
        try (Connection connection = InstanceCatalog.connect(endpoint); Statement statement = connection.createStatement()) {
            statement.execute(sql);
            return Optional.empty();
        } catch (SQLException e) {
            if (e.getSQLState() != null && (e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57"))) {
                throw e;
            }
            return Optional.of(e.getMessage());
        }
    }
}
