package io.pgfleet.events.validation;

import io.pgfleet.events.postgres.Pooler;
import io.pgfleet.events.postgres.PostgresSpec;
import java.util.List;

/** The rules of {@code spec.pooler}. */
final class PoolerRules {

    /** PostgreSQL's own default of {@code max_connections}. */
    static final int DEFAULT_MAX_CONNECTIONS = 100;
    private static final List<String> MODES = List.of(Pooler.SESSION, Pooler.TRANSACTION);

    private PoolerRules() {
    }

    static void check(String path, PostgresSpec spec, Errors errors) {
        Pooler pooler = spec.pooler();
        if (pooler.mode() != null && !MODES.contains(pooler.mode())) {
            errors.add(path + ".mode", "must be one of " + MODES + ", got '" + pooler.mode() + "'");
        }
        if (pooler.maxClientConnections() != null
                && (pooler.maxClientConnections() < 1 || pooler.maxClientConnections() > Pooler.MAX_CLIENT_CONNECTIONS)) {
            errors.add(path + ".maxClientConnections", "must be between 1 and " + Pooler.MAX_CLIENT_CONNECTIONS + ", got "
                    + pooler.maxClientConnections());
        }
        if (pooler.defaultPoolSize() != null) {
            int maxConnections = maxConnections(spec);
            if (pooler.defaultPoolSize() < 1) {
                errors.add(path + ".defaultPoolSize", "must be at least 1, got " + pooler.defaultPoolSize());
            } else if (maxConnections > 0 && pooler.defaultPoolSize() >= maxConnections) {
                errors.add(path + ".defaultPoolSize", "must be lower than the instance's max_connections (" + maxConnections + "), got "
                        + pooler.defaultPoolSize());
            }
        }
        if (Boolean.TRUE.equals(pooler.readOnly()) && spec.effective().replicas() < 2) {
            errors.add(path + ".readOnly", "needs a standby: replicas must be 2 or more, got " + spec.effective().replicas());
        }
    }

    /** The instance's {@code max_connections}: the document's, else PostgreSQL's default; 0 when the document's is no number. */
    private static int maxConnections(PostgresSpec spec) {
        Object given = spec.postgresql() == null || spec.postgresql().parameters() == null ? null
                : spec.postgresql().parameters().get("max_connections");
        if (given == null) {
            return DEFAULT_MAX_CONNECTIONS;
        }
        try {
            return Integer.parseInt(given.toString().trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
