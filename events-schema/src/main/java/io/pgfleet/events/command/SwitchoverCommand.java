package io.pgfleet.events.command;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;

/**
 * Hands the primary's role to a standby on purpose (maintenance, moving the primary): writes pause while the old
 * primary shuts down and the chosen standby, which has received everything, is promoted; the old primary follows it.
 */
@Doc("Makes a standby the primary, with no acknowledged write lost; the old primary becomes a standby.")
public record SwitchoverCommand(
        @Doc(value = "Instance name.", required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE) String instance,
        @Doc(value = "Namespace; the configured default when absent.", pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE) String namespace,
        @Doc("The member to promote, e.g. `postgres-ha-3`; absent: the streaming standby that received the most WAL.") String to)
        implements InstanceCommand {
}
