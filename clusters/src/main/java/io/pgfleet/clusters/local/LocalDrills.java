package io.pgfleet.clusters.local;

import io.pgfleet.clusters.ArchiveLayout;
import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.host.LoopbackPorts;
import io.pgfleet.host.OsUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore drills' scratch servers on this machine: {@code <data root>/.drills/<id>}, made with {@code initdb} and started
 * as the drills' own account ({@link LocalSettings#drillAccount}: never an instance's, so no tenant's account reads a
 * restored copy), configured by {@link DrillConfig}, with a random superuser password that is returned and kept nowhere, and
 * a login group of a random name made once it runs.
 */
final class LocalDrills implements DrillServers {

    private static final Logger LOG = LoggerFactory.getLogger(LocalDrills.class);
    /** Under the data root; a storage class's name never starts with a dot, so this is never taken for one. */
    static final String DIR = ".drills";
    /** The longest a restored server may take to replay to its target. */
    private static final Duration PROMOTION = Duration.ofMinutes(30);

    private final LocalSettings settings;

    LocalDrills(LocalSettings settings) {
        this.settings = settings;
    }

    @Override
    public Made start(InstanceKey instance, String id) {
        return Made.ready(start(id));
    }

    /** Drill {@code id}'s server, empty and started, made within this call. */
    public Scratch start(String id) {
        Place place = place(id);
        String password = LocalInstance.randomSecret();
        LocalMember.initdb(settings, place.account(), place.data(), password, List.of());
        DrillConfig config = place.config();
        start(id, place, place.data().resolve("postgresql.conf"), config.settings());
        Endpoint superuser = new Endpoint("127.0.0.1", config.port(), LocalInstance.SUPERUSER, password);
        try {
            makeLoginGroup(config, password);
        } catch (SQLException e) {
            remove(id);
            throw new IllegalStateException("the scratch server of drill " + id + " did not take its login group: " + e.getMessage(), e);
        }
        LOG.info("restore drill {}: scratch server on 127.0.0.1:{}", id, config.port());
        return new Scratch(superuser, config.loginGroup());
    }

    @Override
    public Scratch startFrom(String id, String superuserPassword, DataRestore restore) {
        Place place = place(id);
        Path dir = place.dir();
        Path data = place.data();
        LocalFiles.mkdir(data, "rwx------");
        place.account().own(data);
        DrillConfig config = place.config();
        restore.restore(new ArchiveLayout("drill", dir.resolve("pgbackrest.conf"), dir.resolve("pgbackrest"), place.account(),
                List.of(new ArchiveLayout.MemberPaths("drill", data, config.port(), dir, true, false))));
        // The instance's configuration came with its data: the drill's settings go last, where they win (the recovery
        // settings the restore wrote stay), and its own client authentication replaces the instance's.
        start(id, place, data.resolve("postgresql.auto.conf"), config.restored());
        Endpoint superuser = new Endpoint("127.0.0.1", config.port(), LocalInstance.SUPERUSER, superuserPassword);
        try {
            Instant lastTransaction = awaitPromoted(id, dir, config.port(), superuserPassword);
            makeLoginGroup(config, superuserPassword);
            LOG.info("restore drill {}: scratch server on 127.0.0.1:{}, restored (last transaction committed at {})", id, config.port(),
                    lastTransaction);
            return new Scratch(superuser, config.loginGroup(), lastTransaction);
        } catch (SQLException | IllegalStateException e) {
            remove(id);
            throw new IllegalStateException("the scratch server of drill " + id + ": " + e.getMessage(), e);
        }
    }

    /** A drill's directory, account and configuration: the directory made anew (what a killed predecessor left removed). */
    private record Place(Path dir, OsUser account, DrillConfig config) {

        Path data() {
            return dir.resolve("data");
        }
    }

    private Place place(String id) {
        Path dir = dir(id);
        remove(id);
        OsUser account = settings.drillAccount();
        account.ensureExists();
        LocalFiles.mkdir(dir.getParent(), "rwx--x--x");
        LocalFiles.mkdir(dir, "rwx------");
        account.own(dir);
        return new Place(dir, account, new DrillConfig(LoopbackPorts.free(), "pgfleet_drill_" + LocalInstance.randomSecret().substring(0, 16)));
    }

    /** The drill's settings appended to {@code settingsFile}, its client authentication written, its server started. */
    private void start(String id, Place place, Path settingsFile, String drillSettings) {
        Path hba = place.data().resolve("pg_hba.conf");
        LocalFiles.write(settingsFile, LocalFiles.read(settingsFile).orElse("") + drillSettings, "rw-------");
        LocalFiles.write(hba, place.config().hba(), "rw-------");
        place.account().own(settingsFile);
        place.account().own(hba);
        Optional<String> complaint = Postmaster.start(settings, place.account(), place.data(), place.dir().resolve("server.log"));
        if (complaint.isPresent()) {
            remove(id);
            throw new IllegalStateException("the scratch server of drill " + id + " did not start: " + complaint.get());
        }
    }

    /**
     * Waits until the restored server has replayed WAL to its target and been promoted; the commit time of the last
     * transaction it replayed. Fails when its postmaster ends first: recovery ended before the target, or another reason
     * its log gives.
     */
    private Instant awaitPromoted(String id, Path dir, int port, String password) throws SQLException {
        long deadline = System.nanoTime() + PROMOTION.toNanos();
        while (true) {
            if (Postmaster.pid(dir.resolve("data")).isEmpty()) {
                String log = LocalFiles.read(dir.resolve("server.log")).orElse("");
                throw new IllegalStateException(log.contains(LocalRecovery.ENDED_EARLY) ? LocalRecovery.ENDED_EARLY + ": the archive holds no WAL up to the time"
                        : "its server ended during recovery: " + Postmaster.complaint(log));
            }
            try (Connection connection = DriverManager.getConnection(LocalMember.driverUrl(port, "postgres"), LocalInstance.SUPERUSER, password);
                 Statement sql = connection.createStatement();
                 ResultSet row = sql.executeQuery("SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.pg_last_xact_replay_timestamp()")) {
                row.next();
                if (!row.getBoolean(1)) {
                    Timestamp at = row.getTimestamp(2);
                    return at == null ? null : at.toInstant();
                }
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("drill " + id + ": recovery did not end within " + PROMOTION.toMinutes() + " minutes");
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    private static void makeLoginGroup(DrillConfig config, String password) throws SQLException {
        try (Connection connection = DriverManager.getConnection(LocalMember.driverUrl(config.port(), "postgres"), LocalInstance.SUPERUSER, password);
             Statement sql = connection.createStatement()) {
            sql.execute("CREATE ROLE " + config.loginGroup() + " NOLOGIN");
        }
    }

    @Override
    public void remove(InstanceKey instance, String id) {
        remove(id);
    }

    /** Drill {@code id}'s server stopped and removed; nothing when there is none. */
    public void remove(String id) {
        Path dir = dir(id);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        OptionalLong pid = Postmaster.pid(dir.resolve("data"));
        if (pid.isPresent()) {
            Postmaster.kill(pid.getAsLong());
        }
        Postmaster.starting(dir.resolve("data")).ifPresent(Postmaster::kill);
        LocalFiles.deleteTree(dir);
        LOG.info("restore drill {}: scratch server removed", id);
    }

    @Override
    public List<Found> existing(Collection<InstanceKey> instances) {
        return existing().stream().map(id -> new Found(id, null)).toList();
    }

    /** The ids of the drills whose servers are under the data root. */
    public List<String> existing() {
        Path root = settings.dataRoot().resolve(DIR);
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path dir(String id) {
        if (!id.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("'" + id + "' is not a drill id");
        }
        return settings.dataRoot().toAbsolutePath().resolve(DIR).resolve(id);
    }
}
