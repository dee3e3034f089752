package io.pgfleet.clusters;

import io.pgfleet.runtime.job.Step;

import io.pgfleet.events.InstanceKey;
import java.util.Map;
import java.util.Optional;

/**
 * The one port through which pgfleet drives clusters; {@code local} and {@code kubernetes} implement
 * it ({@code pgfleet.driver}). Every method is idempotent: called again after a crash, it picks up
 * where the cluster is. {@link #apply} does one bounded step and says what should come next, so a
 * slow instance never holds a worker.
 */
public interface ClusterDriver extends InstanceAccess {

    /** Moves the instance one step towards {@code desired}. */
    Step apply(InstanceKey instance, ClusterSpec desired);

    /**
     * Moves a planned switchover one step: while {@code from} is still the primary, towards promoting {@code to} (or the
     * standby that received the most); after that, like {@link #apply}, until every member serves its new role.
     */
    default Step switchover(InstanceKey instance, ClusterSpec desired, String from, Optional<String> to) {
        return Step.failed("this driver does not switch over");
    }

    /**
     * Called once by the provisioner when it starts: work done ahead, in the background, that makes later provisions faster
     * (the local driver's warm pool). Nothing by default.
     */
    default void prepare() {
    }

    /** Looks at the instance without changing it. */
    Observation observe(InstanceKey instance);

    /** Moves the instance one step towards not existing. */
    Step delete(InstanceKey instance);

    /**
     * What a client lists to reach the primary whichever member it is ({@code host:port,host:port}, the primary first),
     * to be used with {@code target_session_attrs=read-write} (libpq) or {@code targetServerType=primary} (pgjdbc): the
     * local driver lists every member, CloudNativePG its {@code -rw} Service, which follows the primary by itself.
     */
    default Optional<String> primaryHosts(InstanceKey instance) {
        return primary(instance).map(endpoint -> endpoint.host() + ":" + endpoint.port());
    }

    /**
     * How a client verifies the instance's server certificate: {@code sslmode} and the CA, as its PEM text
     * ({@code caCertificate}, local members) or the Secret that holds it ({@code caSecret}, CloudNativePG).
     */
    default Map<String, String> tls(InstanceKey instance) {
        return Map.of();
    }
}
