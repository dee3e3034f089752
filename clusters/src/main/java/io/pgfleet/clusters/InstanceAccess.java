package io.pgfleet.clusters;

import io.pgfleet.events.InstanceKey;
import java.util.Optional;

/** The read side of a driver: where an instance's primary is, and its superuser credential. */
public interface InstanceAccess {

    /** The primary's endpoint, or empty while the instance does not exist (yet). */
    Optional<Endpoint> primary(InstanceKey instance);
}
