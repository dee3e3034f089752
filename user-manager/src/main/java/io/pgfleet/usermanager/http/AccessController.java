package io.pgfleet.usermanager.http;

import io.micronaut.http.HttpResponse;
import io.micronaut.security.authentication.Authentication;
import io.pgfleet.runtime.security.ViewScope;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.usermanager.access.AccessJson;
import io.pgfleet.usermanager.access.AccessRepository;
import io.pgfleet.usermanager.plan.Catalog;
import io.pgfleet.usermanager.sql.CatalogReader;
import io.pgfleet.usermanager.sql.InstanceConnections;
import io.pgfleet.usermanager.plan.DesiredAccess;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.pgfleet.runtime.security.SingleFlight;

/** Read-only view of an instance's users, databases and extensions. No password, no verifier. */
@Controller("/instances")
public class AccessController {

    /** A user as the instance has it. */
    public record UserView(String name, boolean replication, boolean superuser, Set<String> memberOf) {
    }

    /** A database as the instance has it. */
    public record DatabaseView(String name, String owner, Set<String> extensions) {
    }

    /** What is wanted and what the instance has (observed is empty while the instance does not answer). */
    public record AccessView(String instance, DesiredAccess desired, Set<String> managedUsers, List<UserView> users,
                             List<DatabaseView> databases, String observedError) {
    }

    private final AccessRepository access;
    private final InstanceAccess driver;
    private final InstanceConnections connections;
    /** A view asked many times at once reads the catalogue once (every database of the instance, a connection each). */
    private final SingleFlight<InstanceKey, Observed> reads = new SingleFlight<>();

    public AccessController(AccessRepository access, InstanceAccess driver, InstanceConnections connections) {
        this.access = access;
        this.driver = driver;
        this.connections = connections;
    }

    /** What the instance has: its login users and databases, or why they could not be read. */
    public record Observed(List<UserView> users, List<DatabaseView> databases, String error) {
    }

    @Get("/{namespace}/{name}")
    @ExecuteOn("views")
    public HttpResponse<AccessView> get(String namespace, String name, Authentication caller) {
        InstanceKey key = new InstanceKey(namespace, name);
        return access.findById(key.toString()).filter(row -> ViewScope.sees(caller, namespace)).map(row -> {
            Observed observed = observe(key);
            return HttpResponse.ok(new AccessView(key.toString(), AccessJson.desired(row.desired()), AccessJson.users(row.managedUsers()),
                    observed.users(), observed.databases(), observed.error()));
        }).orElseGet(HttpResponse::notFound);
    }

    /** The instance's users and databases as its primary's catalogue has them (also the user-manager's part of the fleet state). */
    public Observed observe(InstanceKey key) {
        return reads.get(key, this::read);
    }

    private Observed read(InstanceKey key) {
        try {
            var endpoint = driver.primary(key);
            if (endpoint.isEmpty()) {
                return new Observed(List.of(), List.of(), "the instance does not exist yet");
            }
            Catalog catalog = CatalogReader.readAll(connections, endpoint.get());
            List<UserView> users = catalog.roles().values().stream().filter(r -> r.login() && !r.name().equals("postgres")
                            && !r.name().equals("streaming_replica"))
                    .map(r -> new UserView(r.name(), r.replication(), r.superuser(), new TreeSet<>(r.memberOf()))).toList();
            List<DatabaseView> databases = catalog.databases().values().stream()
                    .map(d -> new DatabaseView(d.name(), d.owner(), new TreeSet<>(d.extensions()))).toList();
            return new Observed(users, databases, null);
        } catch (SQLException e) {
            return new Observed(List.of(), List.of(), e.getMessage());
        }
    }
}
