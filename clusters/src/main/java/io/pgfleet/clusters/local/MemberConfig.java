package io.pgfleet.clusters.local;

import java.nio.file.Path;
import java.util.Map;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration files of one local member, rendered from the spec: pgfleet's managed settings,
 * the document's parameters, and pg_hba.conf. Pure: the driver writes what this renders.
 *
 * @param listenAddress      127.0.0.1, or the external address
 * @param port               the member's port
 * @param socketDirectory    the member's own directory (not /var/run/postgresql)
 * @param clusterName        shown in process titles
 * @param standbyNames       synchronous_standby_names (primary only)
 * @param parameters         the document's settings
 * @param external           whether clients outside this machine may connect
 * @param primaryConninfo    for a replica, how it reaches the primary; {@code null} for the primary
 * @param slotName           for a replica, its physical replication slot on the primary; {@code null} for the primary
 * @param certificateSerial  the serial of the member's server certificate, named so that a new certificate is a changed
 *                           configuration (reloaded); {@code null} while it has none (TLS off until it has)
 * @param archiveCommand     the {@code archive_command} that pushes the member's WAL when it is the primary; {@code null}: no archiving
 * @param archiveTimeout     {@code archive_timeout}: the longest a written WAL record waits before its segment is switched
 *                           (and archived)
 * @param standbyTimeout     {@code wal_sender_timeout} ({@code pgfleet.local.unresponsive-after}): a standby that has not
 *                           answered its primary for this long is let go — it no longer streams, so the driver lowers the
 *                           quorum (never below its minimum) and writes that waited for it go on
 * @param poolerCa           with a pooler (and TLS): the CA its lookup role's client certificate is signed by, which this
 *                           member then trusts for that role alone ({@code cert}, from loopback; any other login of that
 *                           role is refused); null without a pooler
 */
public record MemberConfig(String listenAddress, int port, Path socketDirectory, String clusterName, String standbyNames,
                           Map<String, String> parameters, boolean external, String primaryConninfo, String slotName,
                           String certificateSerial, String archiveCommand, Duration archiveTimeout, Duration standbyTimeout,
                           Path poolerCa) {

    /** The file postgresql.conf includes first. */
    public static final String MANAGED_FILE = "pgfleet-managed.conf";
    /** The file postgresql.conf includes second, so the document's settings win over defaults. */
    public static final String PARAMETERS_FILE = "pgfleet-parameters.conf";

    /** Lines appended once to the postgresql.conf initdb wrote. */
    public static String includes() {
        return "\n# pgfleet: settings below are managed, do not edit them here\n"
                + "include_if_exists = '" + MANAGED_FILE + "'\n"
                + "include_if_exists = '" + PARAMETERS_FILE + "'\n";
    }

    /** Settings the cluster manages itself. */
    public String managed() {
        return "# Managed by pgfleet; changes are overwritten.\n"
                + line("listen_addresses", listenAddress)
                + line("port", Integer.toString(port))
                + line("unix_socket_directories", socketDirectory.toString())
                + line("cluster_name", clusterName)
                + line("wal_level", "replica")
                + line("hot_standby", "on")
                + line("max_wal_senders", "16")
                + line("max_replication_slots", "16")
                + line("wal_keep_size", "256MB")
                // Slots keep what a standby has not received, up to this much; pg_rewind needs the hint bits logged.
                + line("max_slot_wal_keep_size", "1GB")
                + line("wal_log_hints", "on")
                + line("shared_preload_libraries", "pg_stat_statements")
                + line("password_encryption", "scram-sha-256")
                + line("synchronous_standby_names", standbyNames)
                + line("wal_sender_timeout", Math.max(1, standbyTimeout.toMillis()) + "ms")
                + (certificateSerial == null ? line("ssl", "off") : "# server certificate " + certificateSerial + "\n" + line("ssl", "on")
                        + line("ssl_cert_file", LocalTls.CERT) + line("ssl_key_file", LocalTls.KEY) + line("ssl_min_protocol_version", "TLSv1.2")
                        + (poolerCa == null ? "" : line("ssl_ca_file", poolerCa.toString())))
                // Every member archives once it is the primary (archive_mode=on does nothing on a standby), so a promoted one goes on.
                + (archiveCommand == null ? "" : line("archive_mode", "on") + line("archive_command", archiveCommand)
                        + line("archive_timeout", Math.max(1, archiveTimeout.toSeconds()) + "s"))
                + (primaryConninfo == null ? "" : line("primary_conninfo", primaryConninfo))
                + (slotName == null ? "" : line("primary_slot_name", slotName));
    }

    /** All three files by name, as the driver writes them into the data directory. */
    public Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(MANAGED_FILE, managed());
        files.put(PARAMETERS_FILE, parametersFile());
        files.put("pg_hba.conf", hba());
        return files;
    }

    /** The document's settings. */
    public String parametersFile() {
        StringBuilder text = new StringBuilder("# From the Postgres document's spec.postgresql.parameters.\n");
        parameters.forEach((name, value) -> text.append(line(name, value)));
        return text.toString();
    }

    /**
     * Client authentication: passwords (SCRAM) everywhere; from other hosts (only when external) over TLS only
     * ({@code hostssl}), replication included: a connection from outside without TLS matches no line and is refused.
     */
    public String hba() {
        StringBuilder text = new StringBuilder("# Managed by pgfleet.\n");
        if (poolerCa != null && certificateSerial != null) {
            // The pooler's lookup role: by its client certificate from loopback, never by a password, from nowhere else.
            text.append("hostssl all ").append(PoolerConfig.LOOKUP_ROLE).append(" 127.0.0.1/32 cert\n")
                    .append("local all ").append(PoolerConfig.LOOKUP_ROLE).append(" reject\n")
                    .append("host all ").append(PoolerConfig.LOOKUP_ROLE).append(" all reject\n");
        }
        text.append("local all all scram-sha-256\n")
                .append("host all all 127.0.0.1/32 scram-sha-256\n")
                .append("host replication all 127.0.0.1/32 scram-sha-256\n");
        if (external) {
            // Without a certificate only when TLS is switched off (pgfleet.local.tls=false, to measure what it costs).
            String type = certificateSerial == null ? "host" : "hostssl";
            text.append(type).append(" all all 0.0.0.0/0 scram-sha-256\n")
                    .append(type).append(" replication all 0.0.0.0/0 scram-sha-256\n")
                    .append(type).append(" all all ::/0 scram-sha-256\n")
                    .append(type).append(" replication all ::/0 scram-sha-256\n");
        }
        return text.toString();
    }

    /** {@code name = 'value'}, quoted as postgresql.conf reads it. */
    static String line(String name, String value) {
        return name + " = '" + value.replace("\\", "\\\\").replace("'", "''") + "'\n";
    }

    private static final Pattern SETTING = Pattern.compile("^([a-z][a-z0-9_.]*) = '((?:[^']|'')*)'$");

    /** The settings of our own configuration files, name to value. */
    static Map<String, String> settingsOf(Map<String, String> files) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : List.of(MANAGED_FILE, PARAMETERS_FILE)) {
            files.getOrDefault(name, "").lines().forEach(line -> {
                Matcher m = SETTING.matcher(line);
                if (m.matches()) {
                    settings.put(m.group(1), m.group(2).replace("''", "'"));
                }
            });
        }
        return settings;
    }
}
