package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.postgres.Quorum;

/**
 * Changes the shape of a running instance. At least one of replicas, size and quorum is given;
 * what is absent stays as it is.
 */
@Doc("Changes the members, storage size or quorum of an instance; at least one of replicas, size, quorum.")
public record ScaleCommand(
        @Doc(value = "Instance name.", required = true) String instance,
        @Doc("Namespace; the configured default when absent.") String namespace,
        @Doc("New number of members, at least 1. The primary is never removed.") Integer replicas,
        @Doc("New volume size (Kubernetes quantity); it may only grow.") String size,
        @Doc("New quorum; must stay lower than the (new) number of replicas.") Quorum quorum) implements InstanceCommand {
}
