package io.pgfleet.provisioner.job;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.scheduling.annotation.Scheduled;
import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import io.pgfleet.clusters.PoolerEndpoint;
import java.util.function.ToDoubleFunction;
import io.pgfleet.provisioner.instance.InstancePhase;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.provisioner.instance.InstanceRow;
import io.pgfleet.provisioner.instance.Specs;
import io.pgfleet.runtime.metrics.InstanceGauges;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Each instance as Prometheus sees it: {@code pgfleet_instance_phase{instance,phase}} (1 for the phase it is in, 0 for
 * the others, as kube-state-metrics does for pods), {@code pgfleet_instance_members_desired}, and from the health
 * monitor's observations {@code pgfleet_instance_members_ready} (a primary running, a standby streaming) and
 * {@code pgfleet_replication_lag_bytes{instance,member}} per standby, and for each connection pool ({@code spec.pooler},
 * local driver: PgBouncer's {@code SHOW POOLS}) {@code pgfleet_pooler_clients_active}, {@code _clients_waiting},
 * {@code _servers_active}, {@code _servers_idle} and {@code pgfleet_pooler_max_wait_seconds}, each by {@code pool}.
 */
@Singleton
public class InstanceMetrics {

    private final InstanceRepository instances;
    private final InstanceGauges phase;
    private final InstanceGauges desired;
    private final InstanceGauges ready;
    private final InstanceGauges lag;
    private final ArchiveMetrics archive;
    private final List<PoolGauge> pools;

    /** One figure of a pool's use, as a gauge by instance and pool. */
    private record PoolGauge(InstanceGauges gauges, ToDoubleFunction<PoolerEndpoint.Use> figure) {
    }

    public InstanceMetrics(InstanceRepository instances, MeterRegistry registry, ArchiveMetrics archive) {
        this.instances = instances;
        this.archive = archive;
        this.phase = new InstanceGauges(registry, "pgfleet.instance.phase", "1 for the phase the instance is in, 0 for the others", null,
                "phase");
        this.desired = new InstanceGauges(registry, "pgfleet.instance.members.desired", "members the instance should have", null);
        this.ready = new InstanceGauges(registry, "pgfleet.instance.members.ready", "members ready (primary running, standby streaming)", null);
        this.lag = new InstanceGauges(registry, "pgfleet.replication.lag", "WAL a standby has still to replay", "bytes", "member");
        this.pools = List.of(
                new PoolGauge(new InstanceGauges(registry, "pgfleet.pooler.clients.active", "clients of the pool linked to a server or idle", null,
                        "pool"), PoolerEndpoint.Use::clientsActive),
                new PoolGauge(new InstanceGauges(registry, "pgfleet.pooler.clients.waiting", "clients of the pool waiting for a server connection",
                        null, "pool"), PoolerEndpoint.Use::clientsWaiting),
                new PoolGauge(new InstanceGauges(registry, "pgfleet.pooler.servers.active", "server connections of the pool linked to a client",
                        null, "pool"), PoolerEndpoint.Use::serversActive),
                new PoolGauge(new InstanceGauges(registry, "pgfleet.pooler.servers.idle", "server connections of the pool free for a client", null,
                        "pool"), PoolerEndpoint.Use::serversIdle),
                new PoolGauge(new InstanceGauges(registry, "pgfleet.pooler.max.wait", "how long the pool's oldest waiting client has waited",
                        "seconds", "pool"), PoolerEndpoint.Use::maxWaitSeconds));
    }

    /**
     * Reads every instance's phase and desired size (one query). {@code pgfleet.provisioner.metrics-interval} (default 15s):
     * how often the instance gauges are read.
     */
    @Scheduled(fixedDelay = "${pgfleet.provisioner.metrics-interval:15s}", initialDelay = "1s")
    void refresh() {
        List<String> keys = new ArrayList<>();
        for (InstanceRow row : instances.findAllOrderByKey()) {
            keys.add(row.key());
            for (InstancePhase each : InstancePhase.values()) {
                double value = each.name().equals(row.phase()) ? 1 : 0;
                phase.set(row.key(), each.name(), () -> value);
            }
            int members = Specs.read(row.spec()).replicas();
            desired.set(row.key(), () -> members);
        }
        phase.retain(keys);
        desired.retain(keys);
        ready.retain(keys);
        lag.retain(keys);
        pools.forEach(pool -> pool.gauges().retain(keys));
    }

    /** The instances the health monitor watches: the WAL archive gauges of the others go. */
    public void watching(Collection<String> watched) {
        archive.retain(watched);
    }

    /** What the health monitor observed of an instance (its WAL archiving too: {@link ArchiveMetrics}). */
    public void seen(String instance, Observation observed) {
        archive.seen(instance, observed.archive());
        long up = observed.members().stream()
                .filter(m -> "primary".equals(m.role()) ? "running".equals(m.state()) : "streaming".equals(m.state())).count();
        ready.set(instance, () -> up);
        List<String> standbys = new ArrayList<>();
        for (Member member : observed.members()) {
            if (!"primary".equals(member.role()) && member.lagBytes() != null) {
                long bytes = member.lagBytes();
                lag.set(instance, member.name(), () -> bytes);
                standbys.add(member.name());
            }
        }
        lag.retain(instance, standbys);
        List<String> read = new ArrayList<>();
        for (PoolerEndpoint pooler : observed.poolers()) {
            if (pooler.use() != null) {
                PoolerEndpoint.Use use = pooler.use();
                pools.forEach(pool -> pool.gauges().set(instance, pooler.pool(), () -> pool.figure().applyAsDouble(use)));
                read.add(pooler.pool());
            }
        }
        pools.forEach(pool -> pool.gauges().retain(instance, read));
    }
}
