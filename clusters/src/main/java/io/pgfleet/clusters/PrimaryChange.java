package io.pgfleet.clusters;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A change of primary, as the step that promoted the new one establishes it (a {@link io.pgfleet.runtime.job.Step} fact)
 * and as the {@code FailoverStarted}/{@code SwitchoverStarted} events tell it.
 *
 * @param kind             {@code Failover} or {@code Switchover}
 * @param cause            why the old primary was given up: {@code stopped}, {@code unresponsive}, {@code data lost},
 *                         {@code switchover}; null when the cluster changed its primary by itself
 * @param oldPrimary       the member that was the primary
 * @param fenced           the old primary and how it was fenced, e.g. {@code pg-1 (killed)}; null when unknown
 * @param newPrimary       the member promoted
 * @param why              the cause in words
 * @param primaryDownSince since when the old primary was stopped, silent or being switched over
 * @param receivedLsn      the WAL position the new primary held when promoted; null when unknown
 */
public record PrimaryChange(String kind, String cause, String oldPrimary, String fenced, String newPrimary, String why,
                            Instant primaryDownSince, String receivedLsn) {

    /** The event's details, in this order, without what is unknown. */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kind", kind);
        details.put("cause", cause);
        details.put("oldPrimary", oldPrimary);
        details.put("fenced", fenced);
        details.put("newPrimary", newPrimary);
        details.put("why", why);
        details.put("primaryDownSince", primaryDownSince == null ? null : primaryDownSince.toString());
        details.put("receivedLsn", receivedLsn);
        details.values().removeIf(Objects::isNull);
        return details;
    }
}
