package io.pgfleet.provisioner.http;

import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.runtime.fleet.FleetStatePart;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/** The provisioner's part of the fleet state: its view of the instance (phase, members, primary, endpoints). */
@Singleton
public class ProvisionerFleetPart implements FleetStatePart {

    private final InstanceRepository instances;
    private final ClusterDriver driver;

    public ProvisionerFleetPart(InstanceRepository instances, ClusterDriver driver) {
        this.instances = instances;
        this.driver = driver;
    }

    @Override
    public Optional<InstanceState> part(InstanceKey key) {
        return instances.findById(key.toString()).map(row -> {
            InstanceController.InstanceView view = InstanceController.view(row, driver.observe(key), null, driver.primaryHosts(key).orElse(null));
            List<InstanceState.MemberState> members = view.observed().members().stream()
                    .map(m -> new InstanceState.MemberState(m.name(), m.role(), m.state(), m.host(), m.port(), m.syncState(), null))
                    .toList();
            List<InstanceState.PoolerState> poolers = view.observed().poolers().stream()
                    .map(p -> new InstanceState.PoolerState(p.pool(), p.host(), p.port(), p.state())).toList();
            return new InstanceState(key.toString(), view.phase(), view.message(), view.membersDesired(), view.membersReady(), view.primary(),
                    members, view.primaryHosts(), null, null, null, null, poolers);
        });
    }

    @Override
    public List<InstanceKey> instances() {
        return instances.findAllOrderByKey().stream().map(row -> InstanceKey.of(row.key())).toList();
    }
}
