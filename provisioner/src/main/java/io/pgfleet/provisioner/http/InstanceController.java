package io.pgfleet.provisioner.http;

import io.micronaut.http.HttpResponse;
import io.micronaut.security.authentication.Authentication;
import io.pgfleet.runtime.security.ViewScope;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.provisioner.instance.InstanceRow;
import io.pgfleet.provisioner.instance.Specs;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Read-only views of the instances: desired spec (it holds no secret) and observed members. */
@Controller("/instances")
public class InstanceController {

    /**
     * One instance as the provisioner sees it. {@code primaryHosts}: {@code host:port,...} to connect with
     * {@code target_session_attrs=read-write}, which reaches the primary after a failover too. {@code membersDesired}
     * and {@code membersReady} (a primary running, a standby streaming) and {@code primary} (the member that is, or null)
     * summarise {@code observed}.
     */
    public record InstanceView(String instance, String namespace, String name, String phase, String message, ClusterSpec spec,
                               Instant updatedAt, Observation observed, Map<String, String> tls, String primaryHosts,
                               int membersDesired, int membersReady, String primary) {
    }

    private final InstanceRepository instances;
    private final ClusterDriver driver;

    public InstanceController(InstanceRepository instances, ClusterDriver driver) {
        this.instances = instances;
        this.driver = driver;
    }

    /** Every instance of the namespaces the caller sees, each observed now (its members' state; no TLS material). */
    @Get
    public List<InstanceView> list(Authentication caller) {
        return instances.findAllOrderByKey().stream().filter(row -> ViewScope.sees(caller, row.namespace())).map(row -> view(row, driver.observe(InstanceKey.of(row.key())), null, null)).toList();
    }

    @Get("/{namespace}/{name}")
    public HttpResponse<InstanceView> get(String namespace, String name, Authentication caller) {
        return instances.findById(namespace + "/" + name).filter(row -> ViewScope.sees(caller, namespace))
                .map(row -> HttpResponse.ok(view(row, driver.observe(new InstanceKey(namespace, name)),
                        driver.tls(new InstanceKey(namespace, name)), driver.primaryHosts(new InstanceKey(namespace, name)).orElse(null))))
                .orElseGet(HttpResponse::notFound);
    }

    /** The view of an instance's row with what was observed of it (also the provisioner's part of the fleet state). */
    public static InstanceView view(InstanceRow row, Observation observed, Map<String, String> tls, String primaryHosts) {
        ClusterSpec spec = Specs.read(row.spec());
        List<Member> members = observed == null ? List.of() : observed.members();
        int ready = (int) members.stream().filter(m -> "primary".equals(m.role()) ? "running".equals(m.state()) : "streaming".equals(m.state()))
                .count();
        String primary = members.stream().filter(m -> "primary".equals(m.role())).map(Member::name).findFirst().orElse(null);
        return new InstanceView(row.key(), row.namespace(), row.name(), row.phase(), row.message(), spec, row.updatedAt(), observed, tls,
                primaryHosts, spec.replicas(), ready, primary);
    }
}
