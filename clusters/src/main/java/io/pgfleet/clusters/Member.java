package io.pgfleet.clusters;

/**
 * One observed member of an instance.
 *
 * @param name     e.g. {@code postgres-ha-2}
 * @param role     {@code primary} or {@code replica}
 * @param host     address clients use
 * @param port     port
 * @param state    {@code running}, {@code streaming}, {@code stopped}, {@code starting}, ...
 * @param syncState for replicas: {@code async}, {@code sync}, {@code quorum} or {@code potential}
 * @param lagBytes for replicas: WAL bytes not yet replayed, when known
 */
public record Member(String name, String role, String host, int port, String state, String syncState, Long lagBytes) {
}
