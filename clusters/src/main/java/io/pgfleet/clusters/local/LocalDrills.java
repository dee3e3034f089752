package io.pgfleet.clusters.local;

import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.host.LoopbackPorts;
import io.pgfleet.host.OsUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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

    private final LocalSettings settings;

    LocalDrills(LocalSettings settings) {
        this.settings = settings;
    }

    @Override
    public Scratch start(String id) {
        Path dir = dir(id);
        remove(id);
        OsUser account = settings.drillAccount();
        account.ensureExists();
        LocalFiles.mkdir(dir.getParent(), "rwx--x--x");
        LocalFiles.mkdir(dir, "rwx------");
        account.own(dir);
        String password = LocalInstance.randomSecret();
        Path data = dir.resolve("data");
        LocalMember.initdb(settings, account, data, password, List.of());
        DrillConfig config = new DrillConfig(LoopbackPorts.free(), "pgfleet_drill_" + LocalInstance.randomSecret().substring(0, 16));
        Path conf = data.resolve("postgresql.conf");
        LocalFiles.write(conf, LocalFiles.read(conf).orElse("") + config.settings(), "rw-------");
        LocalFiles.write(data.resolve("pg_hba.conf"), config.hba(), "rw-------");
        account.own(conf);
        account.own(data.resolve("pg_hba.conf"));
        Optional<String> complaint = Postmaster.start(settings, account, data, dir.resolve("server.log"));
        if (complaint.isPresent()) {
            remove(id);
            throw new IllegalStateException("the scratch server of drill " + id + " did not start: " + complaint.get());
        }
        Endpoint superuser = new Endpoint("127.0.0.1", config.port(), LocalInstance.SUPERUSER, password);
        try (Connection connection = DriverManager.getConnection(LocalMember.driverUrl(config.port(), "postgres"), LocalInstance.SUPERUSER, password);
             Statement sql = connection.createStatement()) {
            sql.execute("CREATE ROLE " + config.loginGroup() + " NOLOGIN");
        } catch (SQLException e) {
            remove(id);
            throw new IllegalStateException("the scratch server of drill " + id + " did not take its login group: " + e.getMessage(), e);
        }
        LOG.info("restore drill {}: scratch server on 127.0.0.1:{}", id, config.port());
        return new Scratch(superuser, config.loginGroup());
    }

    @Override
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
