package io.pgfleet.usermanager.http;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.usermanager.access.AccessRepository;
import io.pgfleet.runtime.fleet.FleetStatePart;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * The user-manager's part of the fleet state: the instance's login users and databases as its primary has them. While
 * the primary cannot be read, the part says nothing of users and databases (the last record keeps what was read).
 */
@Singleton
public class UserManagerFleetPart implements FleetStatePart {

    private final AccessRepository access;
    private final AccessController views;

    public UserManagerFleetPart(AccessRepository access, AccessController views) {
        this.access = access;
        this.views = views;
    }

    @Override
    public Optional<InstanceState> part(InstanceKey key) {
        if (!access.existsById(key.toString())) {
            return Optional.empty();
        }
        AccessController.Observed observed = views.observe(key);
        if (observed.error() != null) {
            return Optional.of(new InstanceState(key.toString(), null, null, null, null, null, null, null, null, null, null, null, null));
        }
        return Optional.of(new InstanceState(key.toString(), null, null, null, null, null, null, null,
                observed.users().stream().map(u -> new InstanceState.UserState(u.name(), List.copyOf(u.memberOf()))).toList(),
                observed.databases().stream().map(d -> new InstanceState.DatabaseState(d.name(), d.owner(), List.copyOf(d.extensions())))
                        .toList(), null, null, null));
    }

    @Override
    public List<InstanceKey> instances() {
        return StreamSupport.stream(access.findAll().spliterator(), false).map(row -> InstanceKey.of(row.instance())).toList();
    }
}
