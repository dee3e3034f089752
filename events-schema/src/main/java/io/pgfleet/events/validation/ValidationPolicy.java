package io.pgfleet.events.validation;

import java.util.Set;
import java.util.TreeSet;

/**
 * What an operator may configure about validation.
 *
 * @param allowedExtensions extensions a document may ask for
 */
public record ValidationPolicy(Set<String> allowedExtensions) {

    /** The extensions the reference lists. */
    public static final Set<String> DEFAULT_EXTENSIONS =
            Set.of("hstore", "pg_stat_statements", "pg_trgm", "btree_gin", "uuid-ossp", "pgcrypto");

    public ValidationPolicy {
        allowedExtensions = Set.copyOf(allowedExtensions);
    }

    /** The policy with the default allowlist. */
    public static ValidationPolicy defaults() {
        return new ValidationPolicy(DEFAULT_EXTENSIONS);
    }

    String allowedExtensionsText() {
        return String.join(", ", new TreeSet<>(allowedExtensions));
    }
}
