package io.pgfleet.backup.wal;

import io.micronaut.context.annotation.Value;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.catalog.BackupConfigRow;
import io.pgfleet.clusters.ArchiveLayout;
import io.pgfleet.clusters.TenantSession;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.validation.RetentionPolicy;
import io.pgfleet.events.validation.S3Location;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.pgfleet.backup.storage.S3Guard;
import io.pgfleet.backup.storage.S3Settings;
import io.pgfleet.backup.storage.BackupSettings;
import io.pgfleet.clusters.ArchiveTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances' WAL archives (pgBackRest): where each one's repository is, its configuration written for its members as
 * they are now, and what the repository holds (kept in {@code wal_archive}). Config:
 * <ul>
 *   <li>{@code pgfleet.backup.pgbackrest}: the program (default {@code pgbackrest});</li>
 *   <li>{@code pgfleet.backup.wal-s3-endpoint-override}: the {@code https://} endpoint every WAL archive goes to, whatever
 *       endpoint its bucket names (pgBackRest talks to S3 only over TLS; the local stack: its S3 server's TLS port);</li>
 *   <li>{@code pgfleet.backup.s3-ca-file}: the CA the S3 endpoint's certificate is verified with (default: the system's);</li>
 *   <li>{@code pgfleet.backup.archive-timeout}: how long a base backup waits for its WAL to be archived (default 120s).</li>
 * </ul>
 */
@Singleton
public class WalArchive {

    private static final Logger LOG = LoggerFactory.getLogger(WalArchive.class);

    private final InstanceAccess driver;
    private final WalArchiveRepository archives;
    private final Clock clock;
    private final String program;
    private final S3Settings s3;
    private final Duration archiveTimeout;
    private final Duration timeout;
    private final S3Guard guard;

    public WalArchive(InstanceAccess driver, WalArchiveRepository archives, Clock clock, BackupSettings settings,
                      @Value("${pgfleet.backup.pgbackrest:pgbackrest}") String program,
                      @Value("${pgfleet.backup.archive-timeout:120s}") Duration archiveTimeout) {
        this.driver = driver;
        this.archives = archives;
        this.clock = clock;
        this.program = program;
        this.s3 = settings.s3();
        this.archiveTimeout = archiveTimeout;
        this.timeout = settings.timeout();
        this.guard = settings.guard();
    }

    /** How long a base backup or a flush waits for WAL to be archived. */
    public Duration archiveTimeout() {
        return archiveTimeout;
    }

    /** The S3 endpoint of an instance's WAL archive. */
    String endpoint(BackupConfigRow config) {
        if (!s3.walEndpointOverride().isBlank()) {
            return s3.walEndpointOverride();
        }
        S3Location location = S3Location.parse(config.s3Bucket());
        return !s3.endpointOverride().isBlank() ? s3.endpointOverride()
                : location.endpoint() == null ? s3.endpoint() : location.scheme() + "://" + location.endpoint();
    }

    /**
     * Declares the instance's archive to a platform that archives by itself (CloudNativePG's Barman Cloud plugin, in the same
     * place pgBackRest would use); what was applied, or empty when this service archives it itself.
     */
    public Optional<String> declare(InstanceKey key, BackupConfigRow config) {
        S3Location location = S3Location.parse(config.s3Bucket());
        String endpoint = endpoint(config);
        return driver.declareArchive(key, new ArchiveTarget("s3://" + location.bucket()
                + PgBackRestConfig.repoPath(location.prefix(), key), endpoint.equals(s3.endpoint()) ? null : endpoint, config.schedule(),
                windowDays(config)));
    }

    /** What the instance's archive keeps: the window its {@code cleanupStrategy} promises. */
    public static WalRetention retention(BackupConfigRow config) {
        return new WalRetention(Duration.ofDays(windowDays(config)));
    }

    private static int windowDays(BackupConfigRow config) {
        return config.cleanupStrategy() == null ? 7 : RetentionPolicy.parse(config.cleanupStrategy(), new ArrayList<>()).windowDays();
    }

    /** Why the instance's WAL is not archived by this service, or empty when it is. */
    public Optional<String> unavailable(InstanceKey key, BackupConfigRow config) {
        String endpoint = endpoint(config);
        if (!endpoint.startsWith("https://")) {
            return Optional.of("pgBackRest reaches S3 only over https and the endpoint is " + endpoint
                    + " (set pgfleet.backup.wal-s3-endpoint-override)");
        }
        return Optional.empty();
    }

    /** The instance's repository, its configuration written for its members as they are now; empty while it has none. */
    public Optional<Opened> open(InstanceKey key, BackupConfigRow config, ResticCredentials credentials) {
        return openInto(key, config, credentials, key);
    }

    /**
     * The repository of {@code source} opened for the members of {@code target}: the instance's own configuration when
     * they are the same; otherwise a configuration of its own in the target's directory ({@code from-<stanza>.conf}), whose
     * only member is the target's primary (a restore into another instance; the source need not exist any more).
     */
    public Optional<Opened> openInto(InstanceKey source, BackupConfigRow config, ResticCredentials credentials, InstanceKey target) {
        guard.check(config.s3Bucket(), credentials);
        Optional<ArchiveLayout> layout = driver.archiveLayout(target);
        if (layout.isEmpty()) {
            return Optional.empty();
        }
        boolean own = source.equals(target);
        List<ArchiveLayout.MemberPaths> members = new ArrayList<>(List.of(layout.get().primary()));
        if (own) {
            members.addAll(layout.get().runningStandbys());
        }
        Path file = own ? layout.get().configFile() : layout.get().configFile().resolveSibling("from-" + ArchiveLayout.stanza(source) + ".conf");
        return Optional.of(opened(source, config, credentials, layout.get(), members, file, own));
    }

    /**
     * The repository of {@code source} opened for a restore drill's scratch server ({@code drill}: its data directory, its
     * account, the configuration file it reads): a configuration of its own, readable by the drill's account only.
     */
    public Opened openForDrill(InstanceKey source, BackupConfigRow config, ResticCredentials credentials, ArchiveLayout drill) {
        guard.check(config.s3Bucket(), credentials);
        return opened(source, config, credentials, drill, List.of(drill.primary()), drill.configFile(), false);
    }

    private Opened opened(InstanceKey source, BackupConfigRow config, ResticCredentials credentials, ArchiveLayout layout,
                          List<ArchiveLayout.MemberPaths> members, Path file, boolean own) {
        String stanza = ArchiveLayout.stanza(source);
        S3Location location = S3Location.parse(config.s3Bucket());
        PgBackRestConfig pg = new PgBackRestConfig(stanza, endpoint(config), location.bucket(), config.s3Region(),
                PgBackRestConfig.repoPath(location.prefix(), source), s3.caFile().orElse(null), members, layout.workDir(), archiveTimeout);
        PgBackRest repository = new PgBackRest(program, layout.account(), file, stanza, timeout);
        String text = pg.render(credentials.s3AccessKey(), credentials.s3SecretKey(), credentials.resticPassword());
        if (own) {
            repository.stage(pg, text);
        } else {
            repository.configure(pg, text);
        }
        return new Opened(repository, layout, "s3:" + endpoint(config) + "/" + location.bucket() + pg.repoPath(), credentials);
    }

    /** An instance's repository, opened. */
    public record Opened(PgBackRest repository, ArchiveLayout layout, String location, ResticCredentials credentials) {

        /** pgBackRest's words with no credential in them. */
        public String mask(String text) {
            return credentials.mask(text);
        }
    }

    /** Reads the repository and keeps what it holds (base backups, the window's start). */
    public ArchiveInfo refresh(InstanceKey key, Opened opened) {
        ArchiveInfo info = opened.repository().info();
        // pgBackRest keeps a backup's end to the second: a restore reaches safely from the second after it.
        Instant earliest = info.earliest().map(stop -> stop.plusSeconds(1)).orElse(null);
        archives.upsert(new WalArchiveRow(key.toString(), ArchiveLayout.stanza(key), opened.location(), earliest, Json.write(info.backups()),
                info.walMin(), info.walMax(), Instant.now(clock)));
        return info;
    }

    /** Whether the instance's primary archives into this repository (the provisioner set its archive_command). */
    public static boolean archiving(Endpoint primary, ArchiveLayout layout) throws SQLException {
        try (Connection connection = connect(primary); Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery("SELECT current_setting('archive_mode'), current_setting('archive_command')")) {
            row.next();
            return !"off".equals(row.getString(1)) && row.getString(2).contains(layout.configFile().toString());
        }
    }

    /**
     * Wakes the primary's archiver: a configuration reload sets its latch. After three failed pushes of a segment (an
     * {@code archive-push} before the stanza existed, say) PostgreSQL's archiver sleeps up to 60 s before it tries again,
     * and a base backup waits for its segments to be archived; woken, it pushes them now.
     */
    public static void wakeArchiver(Endpoint primary) throws SQLException {
        try (Connection connection = connect(primary); Statement sql = connection.createStatement()) {
            sql.execute("SELECT pg_catalog.pg_reload_conf()");
        }
    }

    /**
     * The segment the primary's archiver last failed to archive, when that failure came after its last success: the
     * archiver retries that segment before any other, so it is still waiting. Empty when the archiver is not behind a
     * failure.
     */
    public static Optional<String> failingSegment(Endpoint primary) throws SQLException {
        try (Connection connection = connect(primary); Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery("SELECT last_failed_wal FROM pg_catalog.pg_stat_archiver"
                     + " WHERE last_failed_time > coalesce(last_archived_time, '-infinity')")) {
            return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
        }
    }

    /** Commits a transaction that writes a commit record now. */
    public static void commitNow(Endpoint primary) throws SQLException {
        try (Connection connection = connect(primary); Statement sql = connection.createStatement()) {
            sql.execute("SELECT txid_current()");
        }
    }

    /** The primary's superuser connection on this machine (loopback, like the driver's own). */
    private static Connection connect(Endpoint primary) throws SQLException {
        return DriverManager.getConnection(TenantSession.jdbcUrl(primary.host(), primary.port(), "postgres", "connectTimeout=10&sslmode=disable"),
                primary.user(), primary.password());
    }

    public Optional<WalArchiveRow> find(InstanceKey key) {
        return archives.findById(key.toString());
    }

    /** The earliest time the instance's archive restores to: its pgBackRest window, or what the platform's archive reports. */
    public Optional<Instant> recoverableFrom(InstanceKey key) {
        return find(key).map(WalArchiveRow::earliest).or(() -> driver.recoverableFrom(key));
    }

    /**
     * What has the WAL of an instance the platform archives (CloudNativePG) archived up to now, before a restore or a drill
     * reads the archive: a commit, a segment switch, and the wait for it ({@link #switchAndWait}); what fails is logged
     * (the restore then reaches what the archive has).
     */
    public Runnable platformFlush(InstanceKey instance, Optional<Endpoint> primary) {
        return () -> primary.ifPresent(endpoint -> {
            try {
                switchAndWait(endpoint, archiveTimeout);
            } catch (SQLException e) {
                LOG.warn("the WAL of {} up to now could not be archived: {}", instance, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Has the primary's WAL up to now archived by whatever archives it (CloudNativePG's plugin): a commit, a segment switch,
     * then waits (at most {@code timeout}) until {@code pg_stat_archiver} reports that segment archived. Over TLS, verifying
     * the primary's certificate with the Cluster's CA.
     */
    public static void switchAndWait(Endpoint primary, Duration timeout) throws SQLException, InterruptedException {
        try (Connection connection = DriverManager.getConnection(primary.sessionUrl("postgres", "connectTimeout=10"),
                primary.user(), primary.password()); Statement sql = connection.createStatement()) {
            sql.execute("SELECT txid_current()");
            String segment;
            try (ResultSet row = sql.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                row.next();
                segment = row.getString(1);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                try (ResultSet row = sql.executeQuery("SELECT coalesce(last_archived_wal, '') >= " + quote(segment) + " FROM pg_stat_archiver")) {
                    row.next();
                    if (row.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(200);   // bounded: the segment reaches the store within the archive delay, or this gives up
            }
            throw new SQLException("WAL segment " + segment + " was not archived within " + timeout);
        }
    }

    private static String quote(String literal) {
        return "'" + literal.replace("'", "''") + "'";
    }
}
