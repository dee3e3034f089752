package io.pgfleet.provisioner.instance;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import io.micronaut.core.annotation.Nullable;

/**
 * An instance the provisioner owns.
 *
 * @param key     {@code <namespace>/<name>}
 * @param spec    the desired {@link io.pgfleet.clusters.ClusterSpec}, as JSON
 * @param phase   {@link InstancePhase}
 * @param message where it stands, for people
 * @param primaryMember the member last seen as the primary (a change not made by pgfleet is a failover to report)
 * @param failover      a change of primary under way: what its {@code FailoverStarted}/{@code SwitchoverStarted} event said, as JSON
 */
@MappedEntity("instance")
public record InstanceRow(@Id String key, String namespace, String name, String spec, String phase, String message,
                          Instant createdAt, Instant updatedAt, @Nullable String primaryMember,
                          @Nullable String failover) {
}
