package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.json.Related;
import io.pgfleet.events.NameRules;
import io.pgfleet.events.postgres.Quorum;

/**
 * Changes the shape of a running instance. At least one of replicas, size and quorum is given;
 * what is absent stays as it is.
 */
@Doc("Changes the members, storage size or quorum of an instance; at least one of replicas, size, quorum.")
@Related(atLeastOne = {"replicas", "size", "quorum"})
public record ScaleCommand(
        @Doc(value = "Instance name.", required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE) String instance,
        @Doc(value = "Namespace; the configured default when absent.", pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE) String namespace,
        @Doc(value = "New number of members, at least 1. The primary is never removed.", minimum = 1) Integer replicas,
        @Doc("New volume size (Kubernetes quantity); it may only grow.") String size,
        @Doc("New quorum; must stay lower than the (new) number of replicas.") Quorum quorum) implements InstanceCommand {
}
