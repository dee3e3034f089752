package io.pgfleet.clusters.local;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.runtime.job.Step;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** The pools' actions ({@link LocalPlanner.Action.ConfigurePooler} and the others), carried out on {@link LocalPooler}. */
final class PoolerSteps {

    private final LocalSettings settings;

    PoolerSteps(LocalSettings settings) {
        this.settings = settings;
    }

    /**
     * Its directory, its certificates when they do not serve (one for clients, the instance's names; one the lookup role logs
     * in with), the lookup in every database (read-write pool), then its configuration; a running PgBouncer reloads it.
     */
    Step configure(LocalObserver.Sight sight, LocalPooler.Kind kind, ClusterSpec desired) {
        if (!settings.tlsEnabled()) {
            return Step.failed("spec.pooler needs TLS on the local driver (pgfleet.local.tls): the pooler's lookup role logs in by certificate");
        }
        LocalObserver.Rendered rendered = sight.poolers().get(kind);
        LocalPooler pool = new LocalPooler(sight.instance(), kind, settings);
        pool.makeDirectory();
        Set<String> names = settings.certificateNames(desired.external());
        if (settings.tls().validSerial(pool.dir(), names, Instant.now()).isEmpty()) {
            settings.tls().install(pool.dir(), PoolerConfig.SERVER_KEY, PoolerConfig.SERVER_CERT,
                    settings.tls().make(sight.instance().key().name() + "-pooler-" + kind.label(), names), sight.instance().osUser());
        }
        if (!Files.exists(pool.dir().resolve(PoolerConfig.CLIENT_KEY))) {
            settings.tls().install(pool.dir(), PoolerConfig.CLIENT_KEY, PoolerConfig.CLIENT_CERT, settings.tls().makeClient(PoolerConfig.LOOKUP_ROLE),
                    sight.instance().osUser());
        }
        pool.writeUsers();
        if (kind == LocalPooler.Kind.RW) {
            try {
                PoolerLookup.install(rendered.target(), pool.dir());
            } catch (SQLException e) {
                return LocalSteps.unreachable(rendered.target(), e);
            } catch (IllegalStateException e) {
                return Step.failed(e.getMessage());
            }
        }
        boolean changed = !pool.currentIni().equals(Optional.of(rendered.ini()));
        pool.writeIni(rendered.ini());
        if (changed && pool.isRunning()) {
            pool.reload();
            return Step.next("pooler " + kind.label() + " leads to " + rendered.target().name() + " (reloaded)");
        }
        return Step.next("pooler " + kind.label() + " configured: leads to " + rendered.target().name());
    }

    Step start(LocalInstance instance, LocalPooler.Kind kind) {
        LocalPooler pool = new LocalPooler(instance, kind, settings);
        Optional<String> complaint = pool.start();
        return complaint.map(Step::failed).orElseGet(() -> Step.next("pooler " + kind.label() + " started on port " + pool.port()));
    }

    Step remove(LocalInstance instance, LocalPooler.Kind kind) {
        new LocalPooler(instance, kind, settings).remove();
        return Step.next("pooler " + kind.label() + " stopped and removed");
    }
}
