package io.pgfleet.usermanager.access;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * What an instance should have.
 *
 * @param desired      {@link io.pgfleet.usermanager.plan.DesiredAccess} as JSON (no password)
 * @param managedUsers JSON list of the users this service created
 */
@MappedEntity("access")
public record AccessRow(@Id String instance, String desired, String managedUsers, Instant updatedAt) {
}
