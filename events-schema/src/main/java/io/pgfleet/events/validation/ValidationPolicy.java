package io.pgfleet.events.validation;

import java.util.Set;
import java.util.TreeSet;

/**
 * What an operator may configure about validation. Every service that takes a command validates it
 * with the same policy, so that they all answer it the same way.
 *
 * @param allowedExtensions extensions a document may ask for
 * @param limits            bounds on how much one command may ask for
 */
public record ValidationPolicy(Set<String> allowedExtensions, Limits limits) {

    /** The extensions the reference lists. */
    public static final Set<String> DEFAULT_EXTENSIONS =
            Set.of("hstore", "pg_stat_statements", "pg_trgm", "btree_gin", "uuid-ossp", "pgcrypto");

    /**
     * Bounds on one command, checked at validation so that no command can make a service do unbounded work.
     *
     * @param maxReplicas     members of one instance (default 16)
     * @param maxSize         volume size of one member, a Kubernetes quantity (default 16Ti)
     * @param maxUsers        users of one document (default 200)
     * @param maxDatabases    databases of one document (default 100)
     * @param maxPayloadBytes size of one command record's value (default 256 KiB)
     */
    public record Limits(int maxReplicas, String maxSize, int maxUsers, int maxDatabases, int maxPayloadBytes) {

        public static final Limits DEFAULTS = new Limits(16, "16Ti", 200, 100, 256 * 1024);

        public Limits {
            if (maxReplicas < 1 || maxUsers < 0 || maxDatabases < 0 || maxPayloadBytes < 1024) {
                throw new IllegalArgumentException("limits must be positive (replicas at least 1, payload at least 1024 bytes)");
            }
            Quantity.bytes(maxSize); // a quantity, or an IllegalArgumentException saying why not
        }
    }

    public ValidationPolicy {
        allowedExtensions = Set.copyOf(allowedExtensions);
    }

    public ValidationPolicy(Set<String> allowedExtensions) {
        this(allowedExtensions, Limits.DEFAULTS);
    }

    /** The policy with the default allowlist and limits. */
    public static ValidationPolicy defaults() {
        return new ValidationPolicy(DEFAULT_EXTENSIONS, Limits.DEFAULTS);
    }

    String allowedExtensionsText() {
        return String.join(", ", new TreeSet<>(allowedExtensions));
    }
}
