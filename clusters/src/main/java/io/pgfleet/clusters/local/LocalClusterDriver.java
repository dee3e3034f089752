package io.pgfleet.clusters.local;

import io.pgfleet.clusters.DrillServers;
import io.micronaut.context.annotation.Requires;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.Observation;
import io.pgfleet.runtime.job.Step;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import io.pgfleet.clusters.ArchiveLayout;
import io.pgfleet.clusters.Recovery;
import java.time.Clock;
import java.util.Collections;
import org.slf4j.LoggerFactory;

/**
 * Real PostgreSQL processes on this machine: one member is the primary (member 1 until a failover names another,
 * {@link LocalFailover}; never removed), the others streaming replicas made with {@code pg_basebackup -R}, each with
 * its own application_name and replication slot.
 * Every call does one bounded step and is safe to repeat after a crash: {@link LocalObserver} looks at the members
 * (directories, processes, configuration files, the primary's role), {@link LocalPlanner} (pure) chooses the one next
 * action, {@link LocalSteps} carries it out. What exists and runs is adopted; an interrupted member is made again only
 * when its data never served ({@link MemberCreation}), otherwise it is resumed where it stands.
 */
@Singleton
@Requires(property = "pgfleet.driver", value = "local", defaultValue = "local")
public class LocalClusterDriver implements ClusterDriver {

    private final LocalSettings settings;
    private final MemberConnections connections = new MemberConnections();
    private final PoolerStats poolerStats;
    private final LocalObserver observer;
    private final LocalSteps steps;
    private final LocalRecovery recovery;
    private final WarmPool pool;
    private final LocalDrills drills;

    public LocalClusterDriver(LocalSettings settings) {
        this.settings = settings;
        this.poolerStats = new PoolerStats(settings);
        LocalFailover failover = new LocalFailover(settings, connections, Clock.systemUTC());
        this.observer = new LocalObserver(settings, connections, failover);
        this.pool = new WarmPool(settings);
        this.steps = new LocalSteps(settings, connections, failover, new LocalSwitchover(settings, failover, Clock.systemUTC()), pool);
        this.recovery = new LocalRecovery(settings, failover);
        this.drills = new LocalDrills(settings);
        if (!settings.accountPerInstance()) {
            LoggerFactory.getLogger(LocalClusterDriver.class).warn("local driver: single-tenant — every instance runs as the "
                    + "account {} (an account per instance needs the service to run as root, with pgfleet.local.os-user: per-instance); "
                    + "a superuser of one instance can read the others' files", settings.osUser(new InstanceKey("any", "any")).name());
        }
    }

    /** Starts filling the warm pool in the background ({@code pgfleet.local.warm-pool}). */
    @Override
    public void prepare() {
        pool.start();
    }

    @PreDestroy
    void close() {
        pool.stop();
    }

    @Override
    public Step apply(InstanceKey key, ClusterSpec desired) {
        return busy(() -> {
            LocalInstance instance = new LocalInstance(key, instanceDir(key, desired.storageClass()), settings);
            instance.ensureCreated();
            LocalObserver.Sight sight = observer.observe(instance, desired, LocalObserver.Scope.RECONCILE);
            LocalPlanner.Action action = LocalPlanner.next(sight.seen());
            return steps.carryOut(action, sight, desired, Optional.empty());
        });
    }

    @Override
    public Step switchover(InstanceKey key, ClusterSpec desired, String from, Optional<String> to) {
        return busy(() -> {
            LocalInstance instance = new LocalInstance(key, instanceDir(key, desired.storageClass()), settings);
            LocalObserver.Sight sight = observer.observe(instance, desired, LocalObserver.Scope.SWITCHOVER);
            LocalPlanner.Action action = LocalPlanner.switchover(sight.seen(), !sight.members().isEmpty() && sight.primary().name().equals(from));
            return action instanceof LocalPlanner.Action.Reconcile ? apply(key, desired) : steps.carryOut(action, sight, desired, to);
        });
    }

    @Override
    public Step recover(InstanceKey key, Recovery request) {
        return busy(() -> {
            Optional<LocalInstance> found = find(key).filter(i -> !i.members().isEmpty());
            if (found.isEmpty()) {
                return Step.failed("instance " + key + " has no member to restore into");
            }
            return recovery.step(found.get(), found.get().members(), request);
        });
    }

    /** A step, during which (and for a moment after) the warm pool makes nothing. */
    private Step busy(Supplier<Step> step) {
        pool.stepBegins();
        try {
            return step.get();
        } finally {
            pool.stepEnds();
        }
    }

    @Override
    public Observation observe(InstanceKey key) {
        return find(key).map(instance -> LocalObservation.of(instance, settings, connections, poolerStats)).orElseGet(Observation::absent);
    }

    @Override
    public Step delete(InstanceKey key) {
        Optional<LocalInstance> found = find(key);
        if (found.isEmpty()) {
            return Step.done("the instance does not exist", Map.of());
        }
        for (LocalPooler.Kind kind : LocalPooler.Kind.values()) {
            new LocalPooler(found.get(), kind, settings).stop();
        }
        List<LocalMember> members = new ArrayList<>(found.get().members());
        Collections.reverse(members);
        for (LocalMember member : members) {
            member.stop();
            member.deleteFiles();
        }
        LocalFiles.deleteTree(found.get().dir());
        found.get().osUser().removeIfOwn();
        return Step.done("members stopped and removed", Map.of("members", members.size()));
    }

    @Override
    public Optional<DrillServers> drills() {
        return Optional.of(drills);
    }

    @Override
    public Optional<Endpoint> primary(InstanceKey key) {
        // Verified with the data root's CA once the primary has its certificate (its TLS is on from its next reload).
        return find(key).filter(i -> !i.members().isEmpty()).map(i -> {
            LocalMember primary = i.members().get(0);
            Path ca = settings.tlsEnabled() && Files.exists(primary.dataDir().resolve(LocalTls.CERT)) ? settings.caCertificate()
                    : null;
            return new Endpoint("127.0.0.1", primary.port(), LocalInstance.SUPERUSER, i.superuserPassword(), ca);
        });
    }

    @Override
    public Optional<ArchiveLayout> archiveLayout(InstanceKey key) {
        return find(key).filter(i -> !i.members().isEmpty()).map(i -> LocalArchive.layout(settings, i));
    }

    @Override
    public Optional<String> primaryHosts(InstanceKey key) {
        return find(key).filter(i -> !i.members().isEmpty())
                .map(i -> String.join(",", i.members().stream().map(m -> "127.0.0.1:" + m.port()).toList()));
    }

    @Override
    public Map<String, String> tls(InstanceKey key) {
        if (!settings.tlsEnabled()) {
            return Map.of();
        }
        try {
            return Map.of("sslmode", "verify-full", "caCertificate", Files.readString(settings.caCertificate()));
        } catch (IOException e) {
            return Map.of();
        }
    }

    private Path instanceDir(InstanceKey key, String storageClass) {
        return settings.storageClassRoot(storageClass).resolve(key.namespace()).resolve(key.name());
    }

    /** The instance's directory, whatever its storage class. */
    private Optional<LocalInstance> find(InstanceKey key) {
        return settings.storageRoots().stream()
                .map(root -> new LocalInstance(key, root.toAbsolutePath().resolve(key.namespace()).resolve(key.name()), settings))
                .filter(LocalInstance::exists)
                .findFirst();
    }
}
