package io.pgfleet.clusters;

import java.time.Instant;
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
    record Scratch(Endpoint superuser, String loginGroup, Instant lastTransactionAt) {

        public Scratch(Endpoint superuser, String loginGroup) {
            this(superuser, loginGroup, null);
        }
    }

    /**
     * What puts data into an empty scratch data directory, as the drill's account: pgBackRest restoring an instance's WAL
     * archive to a time, with the recovery settings that replay it there and promote.
     */
    @FunctionalInterface
    interface DataRestore {

        /** @param drill where to restore: the drill's data directory (the layout's only member), account, configuration file and work directory */
        void restore(ArchiveLayout drill);
    }

    /**
     * Makes drill {@code id}'s server, empty, and starts it; a server a killed predecessor left under the same id is removed
     * first.
     */
    Scratch start(String id);

    /**
     * Makes drill {@code id}'s server from restored data (any a killed predecessor left removed first): {@code restore} fills
     * its data directory, then the server starts with the drill's settings over the instance's own, replays WAL to the
     * restore's target and is promoted. Fails, saying why, when recovery ends before the target (the archive does not reach
     * it) or the server does not start.
     *
     * @param superuserPassword the password of the superuser in the restored data (the instance's own)
     * @return the server, with the commit time of the last transaction replayed ({@code null}: none was)
     */
    Scratch startFrom(String id, String superuserPassword, DataRestore restore);

    /** Stops drill {@code id}'s server (SIGKILL: nothing in it is kept) and removes its files; nothing when there is none. */
    void remove(String id);

    /** The ids of the drills whose servers are on this machine. */
    List<String> existing();
}
