package io.pgfleet.provisioner.http;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.provisioner.instance.InstanceRow;
import io.pgfleet.provisioner.instance.Specs;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Observation;
import java.time.Instant;
import java.util.List;

/** Read-only views of the instances: desired spec (it holds no secret) and observed members. */
@Controller("/instances")
public class InstanceController {

    /**
     * One instance as the provisioner sees it. {@code primaryHosts}: {@code host:port,...} to connect with
     * {@code target_session_attrs=read-write}, which reaches the primary after a failover too.
     */
    public record InstanceView(String instance, String namespace, String name, String phase, String message, ClusterSpec spec,
                               Instant updatedAt, Observation observed, java.util.Map<String, String> tls, String primaryHosts) {
    }

    private final InstanceRepository instances;
    private final ClusterDriver driver;

    public InstanceController(InstanceRepository instances, ClusterDriver driver) {
        this.instances = instances;
        this.driver = driver;
    }

    @Get
    public List<InstanceView> list() {
        return instances.findAllOrderByKey().stream().map(row -> view(row, null, null, null)).toList();
    }

    @Get("/{namespace}/{name}")
    public HttpResponse<InstanceView> get(String namespace, String name) {
        return instances.findById(namespace + "/" + name)
                .map(row -> HttpResponse.ok(view(row, driver.observe(new InstanceKey(namespace, name)),
                        driver.tls(new InstanceKey(namespace, name)), driver.primaryHosts(new InstanceKey(namespace, name)).orElse(null))))
                .orElseGet(HttpResponse::notFound);
    }

    private static InstanceView view(InstanceRow row, Observation observed, java.util.Map<String, String> tls, String primaryHosts) {
        return new InstanceView(row.key(), row.namespace(), row.name(), row.phase(), row.message(), Specs.read(row.spec()),
                row.updatedAt(), observed, tls, primaryHosts);
    }
}
