package io.pgfleet.events.validation;

import java.util.Set;

/**
 * PostgreSQL settings the cluster manages itself. CloudNativePG refuses user values for them (its
 * "fixed parameters"), and the local driver sets them from the spec, so a document may not set them. TLS versions
 * and ciphers among them: the server's default (TLS 1.2 at least) is kept, so no tenant can weaken what clients get.
 */
public final class ManagedParameters {

    private static final Set<String> NAMES = Set.of(
            // connections and files
            "listen_addresses", "port", "unix_socket_directories", "unix_socket_group", "unix_socket_permissions",
            "data_directory", "config_file", "hba_file", "ident_file", "external_pid_file", "cluster_name",
            // archiving, recovery, replication
            "archive_mode", "archive_command", "archive_library", "archive_cleanup_command", "restore_command",
            "recovery_end_command", "recovery_target", "recovery_target_action", "recovery_target_inclusive",
            "recovery_target_lsn", "recovery_target_name", "recovery_target_time", "recovery_target_timeline",
            "recovery_target_xid", "recovery_min_apply_delay", "promote_trigger_file", "primary_conninfo",
            "primary_slot_name", "synchronous_standby_names", "hot_standby", "wal_log_hints", "full_page_writes",
            "restart_after_crash", "shared_preload_libraries", "allow_alter_system",
            // TLS files and switches
            "ssl", "ssl_ca_file", "ssl_cert_file", "ssl_crl_file", "ssl_crl_dir", "ssl_dh_params_file",
            "ssl_ecdh_curve", "ssl_key_file", "ssl_passphrase_command", "ssl_passphrase_command_supports_reload",
            "ssl_prefer_server_ciphers", "ssl_min_protocol_version", "ssl_max_protocol_version", "ssl_ciphers",
            // logging targets
            "log_destination", "log_directory", "log_filename", "log_file_mode", "log_rotation_age",
            "log_rotation_size", "log_truncate_on_rotation", "logging_collector", "syslog_facility", "syslog_ident",
            "syslog_sequence_numbers", "syslog_split_messages", "event_source", "stats_temp_directory");

    private ManagedParameters() {
    }

    /** Whether the cluster manages this setting itself. */
    public static boolean isManaged(String name) {
        return NAMES.contains(name);
    }

    /** All of them, for documentation. */
    public static Set<String> all() {
        return NAMES;
    }
}
