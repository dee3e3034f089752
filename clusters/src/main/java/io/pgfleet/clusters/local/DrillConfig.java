package io.pgfleet.clusters.local;

/**
 * The configuration of a restore drill's scratch server, rendered: loopback only and no Unix socket, its superuser and the
 * members of its login group alone admitted (a restored tenant's role, whose password the backup's roles carry, matches no
 * line), and nothing spent on durability — the server is removed after the drill, and a crash of it only fails the drill.
 *
 * @param port       its port on 127.0.0.1
 * @param loginGroup the group whose members may log in (a random name)
 */
record DrillConfig(int port, String loginGroup) {

    /** Settings appended to the postgresql.conf initdb wrote (the last value of a setting wins). */
    String settings() {
        return restored() + MemberConfig.line("wal_level", "minimal") + MemberConfig.line("max_wal_senders", "0");
    }

    /**
     * The settings that win over those of data restored from an instance (a point in time: its configuration files come
     * with it): its own address and port, no archiving (it would push into the instance's own archive), no standby to wait
     * for, no TLS files of the instance's, nothing spent on durability.
     */
    String restored() {
        return "\n# pgfleet restore drill: a scratch server, removed afterwards\n"
                + MemberConfig.line("listen_addresses", "127.0.0.1")
                + MemberConfig.line("port", Integer.toString(port))
                + MemberConfig.line("unix_socket_directories", "")
                + MemberConfig.line("cluster_name", "pgfleet-drill")
                + MemberConfig.line("password_encryption", "scram-sha-256")
                + MemberConfig.line("archive_mode", "off")
                + MemberConfig.line("archive_command", "")
                + MemberConfig.line("synchronous_standby_names", "")
                + MemberConfig.line("primary_conninfo", "")
                + MemberConfig.line("primary_slot_name", "")
                + MemberConfig.line("ssl", "off")
                + MemberConfig.line("fsync", "off")
                + MemberConfig.line("synchronous_commit", "off")
                + MemberConfig.line("full_page_writes", "off")
                + MemberConfig.line("autovacuum", "off")
                + MemberConfig.line("max_wal_size", "4GB");
    }

    /**
     * Client authentication: the drill's superuser and its login group's members from loopback, with their passwords; every
     * other role and address refused.
     */
    String hba() {
        return "# Managed by pgfleet: a restore drill's scratch server.\n"
                + "host all " + LocalInstance.SUPERUSER + " 127.0.0.1/32 scram-sha-256\n"
                + "host all +" + loginGroup + " 127.0.0.1/32 scram-sha-256\n"
                + "host all all 0.0.0.0/0 reject\n"
                + "host all all ::/0 reject\n"
                + "local all all reject\n";
    }
}
