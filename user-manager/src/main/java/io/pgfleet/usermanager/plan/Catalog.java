package io.pgfleet.usermanager.plan;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What an instance has, as read from its catalogs: roles and, per database, its owner, its
 * database-level grants, its extensions, its user schemas and its default privileges.
 *
 * @param roles     every role by name
 * @param databases every database but the templates, by name
 */
public record Catalog(Map<String, RoleState> roles, Map<String, DatabaseState> databases) {

    /**
     * A role.
     *
     * @param memberOf   the roles it is a member of
     * @param verifier   its stored password verifier ({@code rolpassword}), or {@code null}
     */
    public record RoleState(String name, boolean login, boolean replication, boolean superuser, Set<String> memberOf, String verifier) {
    }

    /**
     * A database.
     *
     * @param owner           its owner
     * @param grants          database privileges as {@code grantee|PRIVILEGE} ({@code PUBLIC|CONNECT} for PUBLIC)
     * @param extensions      installed extensions
     * @param schemas         schemas other than the system ones
     * @param defaultPrivileges default privileges for all schemas as {@code owner|objtype|grantee|PRIVILEGE}
     *                        (objtype: r tables, S sequences, f functions, n schemas)
     * @param sessionRoles    the role sessions of a user start as in this database ({@code ALTER ROLE … IN DATABASE … SET role}),
     *                        as {@code user|role}
     */
    public record DatabaseState(String name, String owner, Set<String> grants, Set<String> extensions, Set<String> schemas,
                                Set<String> defaultPrivileges, Set<String> sessionRoles) {

        public DatabaseState(String name, String owner, Set<String> grants, Set<String> extensions, Set<String> schemas,
                             Set<String> defaultPrivileges) {
            this(name, owner, grants, extensions, schemas, defaultPrivileges, Set.of());
        }
    }

    public Catalog {
        roles = new TreeMap<>(roles);
        databases = new TreeMap<>(databases);
    }
}
