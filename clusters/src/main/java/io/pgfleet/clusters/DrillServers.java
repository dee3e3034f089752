package io.pgfleet.clusters;

import java.util.List;

/**
 * Scratch servers for restore drills: a server no tenant reaches — an account of its own, a random superuser password
 * only the caller learns, no role admitted but that superuser and the members of a group of a random name (the restore's
 * own temporary logins), listening on loopback — into which a backup is restored and checked, then removed. A restored
 * tenant's role is never admitted, even with its password. Nothing in one is ever of value: a drill's server is removed
 * whenever it is found without its drill.
 */
public interface DrillServers {

    /**
     * A started scratch server.
     *
     * @param superuser  how to reach it as its superuser (over loopback)
     * @param loginGroup the role whose members may log in besides the superuser: a name nobody can know before the server
     *                   is made, so no role of a backup is one of them
     */
    record Scratch(Endpoint superuser, String loginGroup) {
    }

    /**
     * Makes drill {@code id}'s server, empty, and starts it; a server a killed predecessor left under the same id is removed
     * first.
     */
    Scratch start(String id);

    /** Stops drill {@code id}'s server (SIGKILL: nothing in it is kept) and removes its files; nothing when there is none. */
    void remove(String id);

    /** The ids of the drills whose servers are on this machine. */
    List<String> existing();
}
