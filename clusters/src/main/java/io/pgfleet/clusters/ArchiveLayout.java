package io.pgfleet.clusters;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.host.OsUser;
import java.nio.file.Path;
import java.util.List;

/**
 * Where an instance's WAL archive is configured and where its members keep their data, on this machine: what the
 * provisioner's {@code archive_command} names and the backup-worker's pgBackRest configuration fills (local driver only;
 * CloudNativePG archives through the Barman Cloud plugin).
 *
 * @param stanza     the pgBackRest stanza ({@link #stanza})
 * @param configFile the pgBackRest configuration the members' {@code archive_command} reads
 * @param workDir    pgBackRest's logs, locks and spool
 * @param account    the account PostgreSQL (and so pgBackRest) runs as
 * @param members    every member, the primary first
 */
public record ArchiveLayout(String stanza, Path configFile, Path workDir, OsUser account, List<MemberPaths> members) {

    /**
     * One member.
     *
     * @param name      e.g. {@code shop-2}
     * @param dataDir   its data directory
     * @param port      its port
     * @param socketDir its Unix socket directory
     * @param primary   whether it is the designated primary
     * @param running   whether its postmaster runs
     */
    public record MemberPaths(String name, Path dataDir, int port, Path socketDir, boolean primary, boolean running) {
    }

    /** The stanza of an instance: {@code <namespace>-<name>}. */
    public static String stanza(InstanceKey instance) {
        return instance.namespace() + "-" + instance.name();
    }

    /** The designated primary. */
    public MemberPaths primary() {
        return members.get(0);
    }

    /** The standbys that run. */
    public List<MemberPaths> runningStandbys() {
        return members.stream().filter(m -> !m.primary() && m.running()).toList();
    }

    /** The {@code archive_command} of a member: pgBackRest reads the segment from the member's own data directory. */
    public static String archiveCommand(String pgbackrest, Path configFile, String stanza, Path dataDir) {
        return quote(pgbackrest) + " --config=" + quote(configFile.toString()) + " --stanza=" + quote(stanza) + " --pg1-path="
                + quote(dataDir.toString()) + " archive-push %p";
    }

    /** A word for {@code /bin/sh}. */
    private static String quote(String word) {
        return word.matches("[A-Za-z0-9_./=:@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
