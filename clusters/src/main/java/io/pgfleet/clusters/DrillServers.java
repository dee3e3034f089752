package io.pgfleet.clusters;

import java.util.List;

/**
 * Scratch servers for restore drills: a server no tenant reaches — an account of its own, a random superuser password
 * only the caller learns, no role but that superuser admitted, listening on loopback — into which a backup is restored and
 * checked, then removed. Nothing in one is ever of value: a drill's server is removed whenever it is found without its drill.
 */
public interface DrillServers {

    /**
     * Makes drill {@code id}'s server, empty, and starts it; a server a killed predecessor left under the same id is removed
     * first.
     *
     * @return how to reach it as its superuser (over loopback)
     */
    Endpoint start(String id);

    /** Stops drill {@code id}'s server (SIGKILL: nothing in it is kept) and removes its files; nothing when there is none. */
    void remove(String id);

    /** The ids of the drills whose servers are on this machine. */
    List<String> existing();
}
