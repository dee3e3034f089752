package io.pgfleet.events.validation;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import io.pgfleet.events.NameRules;
import io.pgfleet.events.json.Paths;

/**
 * Naming rules. Each check returns the rule a name breaks, or empty when it is fine.
 */
public final class Names {

    /** Instance names become Kubernetes resource names with suffixes such as {@code -credentials} (12). */
    public static final int MAX_INSTANCE_NAME = NameRules.MAX_INSTANCE;
    /** PostgreSQL's NAMEDATALEN - 1. */
    public static final int MAX_IDENTIFIER_BYTES = NameRules.MAX_IDENTIFIER;
    /** A database D gets group roles {@code D_monitoring} and others, which must fit in 63 bytes. */
    public static final int MAX_DATABASE_BYTES = NameRules.MAX_DATABASE;

    private static final Pattern DNS_1035 = Pattern.compile(NameRules.INSTANCE);
    private static final Pattern DNS_1123 = Pattern.compile(NameRules.NAMESPACE);
    private static final Pattern IDENTIFIER = Pattern.compile(NameRules.IDENTIFIER);

    /** Role names PostgreSQL or the cluster reserve. */
    public static final Set<String> RESERVED_ROLES = Set.of(NameRules.RESERVED_ROLES.split("\\|"));
    /** Database names PostgreSQL reserves. */
    public static final Set<String> RESERVED_DATABASES = Set.of(NameRules.RESERVED_DATABASES.split("\\|"));

    private Names() {
    }

    /** Instance names: DNS-1035 labels of at most {@value #MAX_INSTANCE_NAME} characters. */
    public static Optional<String> checkInstanceName(String name) {
        if (name.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (name.length() > MAX_INSTANCE_NAME) {
            return Optional.of("must be at most " + MAX_INSTANCE_NAME + " characters (it is " + name.length()
                    + "), since resource names are derived from it");
        }
        if (!DNS_1035.matcher(name).matches()) {
            return Optional.of("'" + name + "' is not a valid instance name: lower-case letters, digits and '-', "
                    + "starting with a letter and ending with a letter or digit");
        }
        return Optional.empty();
    }

    /** Namespaces: RFC 1123 labels of at most 63 characters. */
    public static Optional<String> checkNamespace(String namespace) {
        if (namespace.isEmpty() || namespace.length() > NameRules.MAX_NAMESPACE || !DNS_1123.matcher(namespace).matches()) {
            return Optional.of("'" + namespace + "' is not a valid namespace: 1 to 63 lower-case letters, digits and '-', "
                    + "starting and ending with a letter or digit");
        }
        return Optional.empty();
    }

    /** User (role) names. */
    public static Optional<String> checkUserName(String name) {
        Optional<String> rule = checkIdentifier(name, MAX_IDENTIFIER_BYTES, RESERVED_ROLES);
        if (rule.isEmpty() && name.startsWith("pgfleet_")) {
            return Optional.of("'" + name + "' is reserved: names starting with 'pgfleet_' belong to pgfleet (the pooler's lookup role, "
                    + "the drills' login groups)");
        }
        return rule;
    }

    /** Database names; shorter than roles so that {@code <db>_readonly} and the others fit. */
    public static Optional<String> checkDatabaseName(String name) {
        return checkIdentifier(name, MAX_DATABASE_BYTES, RESERVED_DATABASES);
    }

    private static Optional<String> checkIdentifier(String name, int maxBytes, Set<String> reserved) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0) {
            return Optional.of("must not be empty");
        }
        if (bytes > maxBytes) {
            return Optional.of("must be at most " + maxBytes + " bytes (it is " + bytes + ")");
        }
        if (!IDENTIFIER.matcher(name).matches()) {
            return Optional.of(Paths.quote(name) + " is not a valid name: lower-case letters, "
                    + "digits and '_', starting with a letter or '_'");
        }
        if (reserved.contains(name)) {
            return Optional.of("'" + name + "' is reserved");
        }
        if (name.startsWith("pg_")) {
            return Optional.of("'" + name + "' is reserved: names starting with 'pg_' belong to PostgreSQL");
        }
        return Optional.empty();
    }

    /** A member of the instance: {@code <instance>-<n>}. */
    public static Optional<String> checkMember(String instance, String member) {
        if (member == null || instance == null || member.matches(Pattern.quote(instance) + "-[1-9][0-9]{0,2}")) {
            return Optional.empty();
        }
        return Optional.of("'" + member + "' is not a member of " + instance + ": members are named " + instance + "-<n>, e.g. " + instance + "-2");
    }
}
