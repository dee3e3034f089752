package io.pgfleet.backup.http;

import com.fasterxml.jackson.core.type.TypeReference;
import io.micronaut.http.HttpResponse;
import io.micronaut.security.authentication.Authentication;
import io.pgfleet.runtime.security.ViewScope;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.pgfleet.backup.catalog.BackupDrillRepository;
import io.pgfleet.backup.catalog.BackupDrillRow;
import io.pgfleet.backup.catalog.BackupRunRepository;
import io.pgfleet.backup.catalog.BackupRunRow;
import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.backup.wal.ArchiveInfo;
import io.pgfleet.backup.wal.WalArchive;
import io.pgfleet.backup.wal.WalArchiveRow;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.stream.StreamSupport;
import java.util.HashMap;

/**
 * The backup configuration of the instances and their backup catalog (the equivalent of
 * {@code kubectl get postgresbackups}). No credential appears: only whether the instance has some.
 */
@Controller("/instances")
public class BackupController {

    /**
     * An instance's configuration, its newest kept successful backup ({@code lastBackup}, or null), its WAL archive, its
     * newest restore drill ({@code lastDrill}) and its newest successful one ({@code lastVerified}).
     */
    public record ConfigView(String instance, boolean enabled, String s3Bucket, String s3Region, String schedule, String cleanupStrategy,
                             Instant nextRun, boolean hasCredentials, WalView walArchive, BackupView lastBackup, DrillView lastDrill,
                             DrillView lastVerified) {
    }

    /**
     * One restore drill: the backup it restored (or the point in time), its outcome, when it ended, its restore's seconds (the measured recovery
     * time), the databases and tables it checked and what it found.
     */
    public record DrillView(String id, String backupId, Instant pointInTime, String status, Instant startedAt, Instant finishedAt,
                            Double restoreSeconds, Integer databases, Integer tables, List<String> findings, String message) {
    }

    /**
     * The instance's WAL archive: where it is, the base backups it holds (oldest first, with their times, sizes and WAL
     * range) and the recovery window, from {@code recoverableFrom} to the newest archived WAL ({@code walMax}).
     */
    public record WalView(String repository, Instant recoverableFrom, List<ArchiveInfo.BaseBackup> baseBackups, String walMin, String walMax,
                          Instant checkedAt) {
    }

    private static final TypeReference<List<ArchiveInfo.BaseBackup>> BASE_BACKUPS = new TypeReference<>() {
    };

    /** One backup of the catalog. */
    public record BackupView(String id, String trigger, String status, Instant scheduledFor, Instant startedAt, Instant finishedAt,
                             List<String> databases, Map<String, String> snapshots, Long bytes, Long durationMs, String message,
                             boolean forgotten, String repository, Instant verifiedAt, Double restoreSeconds) {
    }

    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {
    };

    private final BackupConfigRepository configs;
    private final BackupRunRepository runs;
    private final BackupSettings settings;

    private final WalArchive walArchives;
    private final BackupDrillRepository drills;

    public BackupController(BackupConfigRepository configs, BackupRunRepository runs, BackupDrillRepository drills, BackupSettings settings,
                            WalArchive walArchives) {
        this.drills = drills;
        this.walArchives = walArchives;
        this.configs = configs;
        this.runs = runs;
        this.settings = settings;
    }

    /** The instances of the namespaces the caller sees. */
    @Get
    public List<ConfigView> list(Authentication caller) {
        Map<String, BackupRunRow> last = new HashMap<>();
        runs.findLastSucceeded().forEach(run -> last.put(run.instance(), run));
        Map<String, BackupDrillRow> verified = new HashMap<>();
        drills.findLastSucceeded().forEach(drill -> verified.put(drill.instance(), drill));
        Map<String, BackupDrillRow> newest = new HashMap<>();
        drills.findNewest().forEach(drill -> newest.put(drill.instance(), drill));
        return StreamSupport.stream(configs.findAll().spliterator(), false).filter(row -> ViewScope.seesInstance(caller, row.instance()))
                .map(row -> view(row, last.get(row.instance()), newest.get(row.instance()), verified.get(row.instance()))).toList();
    }

    @Get("/{namespace}/{name}")
    public HttpResponse<ConfigView> get(String namespace, String name, Authentication caller) {
        InstanceKey key = new InstanceKey(namespace, name);
        return (ViewScope.sees(caller, namespace) ? view(key) : Optional.<ConfigView>empty()).map(HttpResponse::ok).orElseGet(HttpResponse::notFound);
    }

    /** An instance's backup configuration with its last good backup (also the backup-worker's part of the fleet state). */
    public Optional<ConfigView> view(InstanceKey instance) {
        String key = instance.toString();
        List<BackupDrillRow> drilled = drills.findByInstanceOrderByFinishedAtDesc(key);
        return configs.findById(key).map(row -> view(row, runs.findByInstanceOrderByCreatedAtDesc(key).stream()
                .filter(run -> "SUCCEEDED".equals(run.status()) && !run.forgotten()).findFirst().orElse(null),
                drilled.stream().findFirst().orElse(null), drilled.stream().filter(BackupController::passed).findFirst().orElse(null)));
    }

    /** The instance's restore drills, newest first. */
    @Get("/{namespace}/{name}/drills")
    public HttpResponse<List<DrillView>> drills(String namespace, String name, Authentication caller) {
        if (!ViewScope.sees(caller, namespace)) {
            return HttpResponse.notFound();
        }
        return HttpResponse.ok(drills.findByInstanceOrderByFinishedAtDesc(new InstanceKey(namespace, name).toString()).stream()
                .map(BackupController::view).toList());
    }

    private static boolean passed(BackupDrillRow drill) {
        return "SUCCEEDED".equals(drill.status());
    }

    /** The catalog, newest first; backups removed by retention only with {@code ?all=true}. */
    @Get("/{namespace}/{name}/backups")
    public HttpResponse<List<BackupView>> backups(String namespace, String name, @QueryValue(defaultValue = "false") boolean all,
                                                  Authentication caller) {
        if (!ViewScope.sees(caller, namespace)) {
            return HttpResponse.notFound();
        }
        String key = new InstanceKey(namespace, name).toString();
        Map<String, BackupDrillRow> verified = new HashMap<>();
        drills.findByInstanceOrderByFinishedAtDesc(key).stream().filter(drill -> passed(drill) && drill.backupId() != null)
                .forEach(drill -> verified.putIfAbsent(drill.backupId(), drill));
        return HttpResponse.ok(runs.findByInstanceOrderByCreatedAtDesc(key).stream()
                .filter(run -> all || !run.forgotten()).map(run -> view(run, verified.get(run.id()))).toList());
    }

    private ConfigView view(BackupConfigRow row, BackupRunRow last, BackupDrillRow lastDrill, BackupDrillRow lastVerified) {
        return new ConfigView(row.instance(), row.enabled(), row.s3Bucket(), row.s3Region(), row.schedule(), row.cleanupStrategy(),
                row.nextRun(), settings.credentials(InstanceKey.of(row.instance())).isPresent(),
                walArchives.find(InstanceKey.of(row.instance())).map(BackupController::view).orElse(null),
                last == null ? null : view(last, null), lastDrill == null ? null : view(lastDrill),
                lastVerified == null ? null : view(lastVerified));
    }

    private static DrillView view(BackupDrillRow drill) {
        try {
            return new DrillView(drill.id(), drill.backupId(), drill.pointInTime(), drill.status(), drill.startedAt(), drill.finishedAt(), seconds(drill),
                    drill.databases(), drill.tables(), drill.findings() == null ? List.of() : Json.mapper().readValue(drill.findings(), NAMES),
                    drill.message());
        } catch (IOException e) {
            throw new IllegalStateException("drill row " + drill.id() + " is unreadable", e);
        }
    }

    private static Double seconds(BackupDrillRow drill) {
        return drill == null || drill.restoreMs() == null ? null : drill.restoreMs() / 1000.0;
    }

    private static WalView view(WalArchiveRow row) {
        try {
            return new WalView(row.repository(), row.earliest(), Json.mapper().readValue(row.baseBackups(), BASE_BACKUPS), row.walMin(),
                    row.walMax(), row.updatedAt());
        } catch (IOException e) {
            throw new IllegalStateException("WAL archive row of " + row.instance() + " is unreadable", e);
        }
    }

    private static BackupView view(BackupRunRow run, BackupDrillRow verified) {
        try {
            List<String> databases = run.databases() == null ? null : Json.mapper().readValue(run.databases(), NAMES);
            return new BackupView(run.id(), run.trigger(), run.status(), run.scheduledFor(), run.startedAt(), run.finishedAt(), databases,
                    run.snapshots() == null ? null : run.snapshotIds(), run.bytes(), run.durationMs(), run.message(),
                    run.forgotten(), run.repository(), verified == null ? null : verified.finishedAt(), seconds(verified));
        } catch (IOException e) {
            throw new IllegalStateException("catalog row " + run.id() + " is unreadable", e);
        }
    }
}
