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
 */
public record Observation(boolean exists, boolean ready, List<Member> members, String message, Long usedBytes) {

    public static Observation absent() {
        return new Observation(false, false, List.of(), "the instance does not exist", null);
    }
}
