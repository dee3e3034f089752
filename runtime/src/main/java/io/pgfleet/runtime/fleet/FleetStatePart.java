package io.pgfleet.runtime.fleet;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.fleet.InstanceState;
import java.util.List;
import java.util.Optional;

/**
 * What one service knows of its instances, for the fleet-state topic: each service implements it once, with only the
 * fields it owns set (the provisioner: phase, members, endpoints; the user-manager: users and databases; the
 * backup-worker: backups). Never a password or a key.
 */
public interface FleetStatePart {

    /** The service's part of the instance's state now; empty once the service no longer knows the instance. */
    Optional<InstanceState> part(InstanceKey instance);

    /** Every instance the service knows (read again every {@code pgfleet.fleet-state.refresh}). */
    List<InstanceKey> instances();
}
