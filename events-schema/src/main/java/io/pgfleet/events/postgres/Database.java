package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;
import java.util.List;

/**
 * A database, its group roles and its extensions.
 *
 * @param roles      which users get which access
 * @param extensions extensions created in this database (from the services' allowlist)
 */
@Doc("A database, who may use it and its extensions.")
public record Database(
        @Doc("Which declared users get which access to this database.") DatabaseRoles roles,
        @Doc(value = "Extensions created in this database only, from the allowlist (default: hstore, pg_stat_statements, pg_trgm, btree_gin, uuid-ossp, pgcrypto).",
                unique = true)
        List<String> extensions) {
}
