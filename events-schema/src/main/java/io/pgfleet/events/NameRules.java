package io.pgfleet.events;

/**
 * The patterns and lengths of names and other values, one source for the validator
 * ({@link io.pgfleet.events.validation.Names} and its rules) and for the JSON Schemas (through {@link Doc}). Each
 * pattern is read alike by Java and by ECMA-262 (JSON Schema's regular expressions), and matches a whole value.
 */
public final class NameRules {

    /** Instance names: DNS-1035 labels (they become Kubernetes resource names). */
    public static final String INSTANCE = "[a-z]([-a-z0-9]*[a-z0-9])?";
    /** Instance names become Kubernetes resource names with suffixes such as {@code -credentials} (12). */
    public static final int MAX_INSTANCE = 50;
    /** Namespaces: RFC 1123 labels. */
    public static final String NAMESPACE = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    public static final int MAX_NAMESPACE = 63;
    /** PostgreSQL identifiers pgfleet accepts: users and databases, never quoted into anything else. */
    public static final String IDENTIFIER = "[a-z_][a-z0-9_]*";
    /** PostgreSQL's NAMEDATALEN - 1 (the pattern allows ASCII only, so characters are bytes). */
    public static final int MAX_IDENTIFIER = 63;
    /** A database D gets group roles {@code D_monitoring} and others, which must fit in 63 bytes. */
    public static final int MAX_DATABASE = MAX_IDENTIFIER - 11;   // "_monitoring".length()
    /** Role names PostgreSQL or the cluster reserve, as alternatives. */
    public static final String RESERVED_ROLES = "postgres|streaming_replica|public|none|current_user|current_role|session_user|template0|template1";
    /** Database names PostgreSQL reserves, as alternatives. */
    public static final String RESERVED_DATABASES = "postgres|template0|template1";
    /**
     * A user (role) name: an identifier, not reserved, not starting with {@code pg_} (PostgreSQL's) nor {@code pgfleet_}
     * (pgfleet's own roles: the pooler's lookup role, the drills' login groups).
     */
    public static final String ROLE = "(?!pg_)(?!pgfleet_)(?!(" + RESERVED_ROLES + ")$)" + IDENTIFIER;
    /** A database name: an identifier, not reserved, not starting with {@code pg_}. */
    public static final String DATABASE = "(?!pg_)(?!(" + RESERVED_DATABASES + ")$)" + IDENTIFIER;
    /** An instance named as {@code name} (same namespace) or {@code namespace/name}. */
    public static final String INSTANCE_REFERENCE = "(" + NAMESPACE + "/)?" + INSTANCE;
    /** Storage classes: DNS subdomain names. */
    public static final String STORAGE_CLASS = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";
    public static final int MAX_STORAGE_CLASS = 253;
    /** S3 regions. */
    public static final String S3_REGION = "[a-z0-9][a-z0-9-]{0,62}";
    /** A backup id, or a restic snapshot id (8 to 64 hex digits). */
    public static final String BACKUP_ID = "[A-Za-z0-9][A-Za-z0-9-]{7,63}";
    /** PostgreSQL setting names, with at most one '.' for an extension's settings. */
    public static final String PARAMETER_NAME = "[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?";
    /** A setting's value as text: no control character (a line break would start another line of postgresql.conf). */
    public static final String PARAMETER_VALUE = "[^\\x00-\\x1f]*";
    /** The most characters of a setting's value. */
    public static final int MAX_PARAMETER_VALUE = 1024;
    /** An RFC 3339 time with its offset, as {@code OffsetDateTime.parse} reads it (seconds and fractions optional). */
    public static final String TIME_WITH_OFFSET = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})";

    private NameRules() {
    }
}
