package io.pgfleet.events.validation;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an operator may configure about validation. Every service that takes a command validates it
 * with the same policy, so that they all answer it the same way.
 *
 * @param allowedExtensions extensions a document may ask for
 * @param limits            bounds on how much one command may ask for
 * @param allowSuperusers   whether a document may make a user a PostgreSQL superuser ({@code superuser: true}); a fleet
 *                          whose tenants must not hold the keys to the server sets it false
 * @param allowedEndpoints  the S3 endpoints a document's {@code s3Bucket} may name ({@link S3Endpoints}); default {@code *}:
 *                          any host name that resolves to no internal address, no IP address or localhost
 * @param requireSealed     whether every secret field must be sealed ({@code pgfleet.secrets.require-sealed}); by default a
 *                          clear value is taken too
 */
public record ValidationPolicy(Set<String> allowedExtensions, Limits limits, boolean allowSuperusers, List<String> allowedEndpoints,
                               boolean requireSealed) {

    /** Any host name that resolves to no internal address; never an IP address or localhost. */
    public static final List<String> DEFAULT_ENDPOINTS = List.of("*");

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
        allowedEndpoints = List.copyOf(allowedEndpoints);
    }

    public ValidationPolicy(Set<String> allowedExtensions, Limits limits, boolean allowSuperusers, List<String> allowedEndpoints) {
        this(allowedExtensions, limits, allowSuperusers, allowedEndpoints, false);
    }

    public ValidationPolicy(Set<String> allowedExtensions, Limits limits, boolean allowSuperusers) {
        this(allowedExtensions, limits, allowSuperusers, DEFAULT_ENDPOINTS);
    }

    public ValidationPolicy(Set<String> allowedExtensions, Limits limits) {
        this(allowedExtensions, limits, true);
    }

    public ValidationPolicy(Set<String> allowedExtensions) {
        this(allowedExtensions, Limits.DEFAULTS);
    }

    /** The policy with the default allowlist and limits; superusers allowed (the reference's examples have one). */
    public static ValidationPolicy defaults() {
        return new ValidationPolicy(DEFAULT_EXTENSIONS, Limits.DEFAULTS);
    }

    /** Why a superuser is refused, when it is. */
    static final String NO_SUPERUSERS = "superusers are not allowed for tenants on this fleet (pgfleet.policy.allow-superusers is false); "
            + "grant database roles instead";

    String allowedExtensionsText() {
        return String.join(", ", new TreeSet<>(allowedExtensions));
    }
}
