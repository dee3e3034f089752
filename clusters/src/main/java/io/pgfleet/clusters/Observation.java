package io.pgfleet.clusters;

import java.util.List;

/**
 * What an instance looks like right now.
 *
 * @param exists   whether the instance exists at all
 * @param ready    every member is up and every replica streams
 * @param members  the members, primary first
 * @param message  for people, e.g. "4 of 5 members ready: postgres-ha-3 is stopped"
 * @param usedBytes bytes used by the data of all members, when known
 * @param archive   the primary's WAL archiving, when it archives
 * @param archiveProblem what is wrong with it (the archive falls behind), else null: the instance is degraded though
 *                  every member is ready
 * @param poolers   its connection pools ({@code spec.pooler}), none when it has none
 */
public record Observation(boolean exists, boolean ready, List<Member> members, String message, Long usedBytes, ArchiveState archive,
                          String archiveProblem, List<PoolerEndpoint> poolers) {

    public Observation {
        poolers = poolers == null ? List.of() : List.copyOf(poolers);
    }

    /** Without pools. */
    public Observation(boolean exists, boolean ready, List<Member> members, String message, Long usedBytes, ArchiveState archive,
                       String archiveProblem) {
        this(exists, ready, members, message, usedBytes, archive, archiveProblem, List.of());
    }

    public Observation(boolean exists, boolean ready, List<Member> members, String message, Long usedBytes) {
        this(exists, ready, members, message, usedBytes, null, null);
    }

    public static Observation absent() {
        return new Observation(false, false, List.of(), "the instance does not exist", null);
    }
}
