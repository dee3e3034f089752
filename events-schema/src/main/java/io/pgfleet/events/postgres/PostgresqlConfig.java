package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;
import io.pgfleet.events.json.ScalarValues;
import java.util.Map;

/**
 * PostgreSQL server settings.
 *
 * @param parameters setting name to value (a string, a number or a boolean); settings the cluster
 *                   manages itself (ports, archiving, replication, logging targets, ssl files...)
 *                   are refused
 */
@Doc("PostgreSQL server settings.")
public record PostgresqlConfig(
        @Doc(value = "Setting name to value (string, number or boolean), e.g. `max_connections: 200`. Settings the cluster manages itself (port, listen_addresses, archive_*, restore_command, primary_conninfo, synchronous_standby_names, ssl files, logging targets, shared_preload_libraries, ...) are refused.",
                pattern = NameRules.PARAMETER_NAME)
        @ScalarValues(minLength = 1, maxLength = NameRules.MAX_PARAMETER_VALUE, pattern = NameRules.PARAMETER_VALUE)
        Map<String, Object> parameters) {

    /** Default {@code max_connections} when the document sets none. */
    public static final int DEFAULT_MAX_CONNECTIONS = 100;

    PostgresqlConfig effective() {
        return new PostgresqlConfig(parameters == null ? Map.of() : parameters);
    }
}
