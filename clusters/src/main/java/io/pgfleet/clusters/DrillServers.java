package io.pgfleet.clusters;

import io.pgfleet.events.InstanceKey;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Scratch servers for restore drills: a server no tenant reaches — an account of its own, a random superuser password
 * only the caller learns, no role admitted but that superuser and the members of a group of a random name (the restore's
 * own temporary logins), listening on loopback — into which a backup is restored and checked, then removed. A restored
 * tenant's role is never admitted, even with its password. Nothing in one is ever of value: a drill's server is removed
 * whenever it is found without its drill.
 *
 * <p>A local server is made within one call; a platform's (CloudNativePG: a {@code Cluster} of the drill's own) over many:
 * {@link #start} and {@link #recover} then answer {@link Made#waiting} until it is ready, and hand a ready server out once
 * only — one a killed caller was handed is removed and made again, since it may hold half a restore.
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
     * A drill's server as far as it is made: ready ({@code scratch}), or still being made ({@code waiting} says how far).
     *
     * @param since when making it began, where the platform knows it ({@code null}: the call made it)
     */
    record Made(Scratch scratch, String waiting, Instant since) {

        public static Made ready(Scratch scratch) {
            return new Made(scratch, null, null);
        }

        public static Made waiting(String how) {
            return new Made(null, how, null);
        }

        public boolean isReady() {
            return scratch != null;
        }
    }

    /**
     * A drill's server found on this machine or platform, for the instance it was made for ({@code null} where the driver
     * needs no instance to find it again: the local driver's are all under its data root).
     */
    record Found(String id, InstanceKey instance) {
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
     * Makes drill {@code id}'s server for a drill of {@code instance}, empty, and starts it; a server a killed predecessor
     * left under the same id is removed first (the local driver) or, once handed out, never handed out again.
     */
    Made start(InstanceKey instance, String id);

    /**
     * Where the platform archives the instance's WAL itself ({@link InstanceAccess#archivesItself()}): drill {@code id}'s
     * server recovered by the platform from the instance's archive to {@code at} and promoted, never archiving itself;
     * {@code flush} runs once, before it is made (has the instance's WAL up to now archived). Ready only once recovery
     * reached the time: the platform fails a recovery that ends before it.
     */
    default Made recover(InstanceKey instance, String id, Instant at, Runnable flush) {
        throw new IllegalStateException("this driver restores a drill's point in time with its own archive's tool, not the platform's");
    }

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

    /**
     * Stops drill {@code id}'s server (SIGKILL: nothing in it is kept) and removes it; nothing when there is none.
     *
     * @param instance the instance it was made for ({@code null}: not known, where the driver finds it without)
     */
    void remove(InstanceKey instance, String id);

    /**
     * The drills whose servers exist, for the instances listed (a driver whose servers are all on this machine lists all
     * of them).
     */
    List<Found> existing(Collection<InstanceKey> instances);
}
