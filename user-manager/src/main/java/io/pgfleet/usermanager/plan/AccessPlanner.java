package io.pgfleet.usermanager.plan;

import static io.pgfleet.usermanager.plan.Sql.ident;
import static io.pgfleet.usermanager.plan.Sql.literal;

import io.pgfleet.usermanager.plan.Catalog.DatabaseState;
import io.pgfleet.usermanager.plan.Catalog.RoleState;
import io.pgfleet.usermanager.plan.DesiredAccess.DesiredDatabase;
import io.pgfleet.usermanager.plan.DesiredAccess.DesiredUser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Works out the statements that take an instance from what its catalog shows to the desired users
 * and databases, and nothing more: an instance that already matches gets an empty plan.
 *
 * <p>Semantics, per database D: NOLOGIN group roles {@code D_admin} and {@code D_readonly} (and
 * {@code D_app}, {@code D_monitoring} when used); D owned by {@code D_admin}; CONNECT revoked from
 * PUBLIC and granted to the groups. Default privileges, for every admin member and for
 * {@code D_admin}, give {@code D_admin} everything, {@code D_readonly} read access and {@code D_app}
 * read/write on tables, sequences, functions and schemas created later; grants on ALL objects of
 * existing schemas cover what was there before a group appeared. Sessions of an admin member in D
 * start as {@code D_admin} ({@code ALTER ROLE … IN DATABASE D SET role}), so what any admin member
 * creates is owned by {@code D_admin} and every other admin member can alter or drop it (superusers
 * keep their own identity: they can manage everything anyway). Users are LOGIN roles with their
 * flags; a password is set only as a SCRAM verifier. Users no longer desired (but managed before)
 * are dropped after their objects are reassigned to each database's admin group.
 */
public final class AccessPlanner {

    /** The cluster-wide database statements run in. */
    public static final String MAINTENANCE_DB = "postgres";
    /** Heir of objects in databases pgfleet does not manage. */
    public static final String SUPERUSER = "postgres";

    private static final Map<String, Map<String, List<String>>> DEFAULTS = Map.of(
            "admin", Map.of("r", List.of("DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"),
                    "S", List.of("SELECT", "UPDATE", "USAGE"), "f", List.of("EXECUTE"), "n", List.of("CREATE", "USAGE")),
            "readonly", Map.of("r", List.of("SELECT"), "S", List.of("SELECT", "USAGE"), "f", List.of("EXECUTE"), "n", List.of("USAGE")),
            "app", Map.of("r", List.of("DELETE", "INSERT", "SELECT", "TRUNCATE", "UPDATE"), "S", List.of("SELECT", "UPDATE", "USAGE"),
                    "f", List.of("EXECUTE"), "n", List.of("USAGE")));
    private static final Map<String, String> OBJECTS = Map.of("r", "TABLES", "S", "SEQUENCES", "f", "FUNCTIONS", "n", "SCHEMAS");
    private static final Map<String, String> ALL_OBJECTS = Map.of("r", "ALL TABLES", "S", "ALL SEQUENCES", "f", "ALL FUNCTIONS");

    private AccessPlanner() {
    }

    /**
     * The plan.
     *
     * @param desired        users and databases wanted
     * @param managedBefore  users this service created earlier (only those are ever dropped)
     * @param catalog        what the instance has now
     * @param newVerifiers   SCRAM verifiers for the users whose password must be set (new users, changed passwords)
     */
    public static List<SqlAction> plan(DesiredAccess desired, Set<String> managedBefore, Catalog catalog, Map<String, String> newVerifiers) {
        List<SqlAction> cluster = new ArrayList<>();
        List<SqlAction> perDatabase = new ArrayList<>();
        Set<String> createdGroups = new TreeSet<>();

        for (DesiredDatabase database : desired.databases().values()) {
            for (String level : database.levels()) {
                String group = database.group(level);
                if (!catalog.roles().containsKey(group)) {
                    cluster.add(SqlAction.in(MAINTENANCE_DB, "CREATE ROLE " + ident(group) + " NOLOGIN"));
                    createdGroups.add(group);
                }
                if (level.equals("monitoring") && !memberOf(catalog, group).contains("pg_monitor")) {
                    cluster.add(SqlAction.in(MAINTENANCE_DB, "GRANT pg_monitor TO " + ident(group)));
                }
            }
        }
        for (DesiredUser user : desired.users().values()) {
            planUser(user, catalog.roles().get(user.name()), newVerifiers.get(user.name()), cluster);
        }
        // The new databases one after the other, so that they are made side by side (PlanStages); then what each needs.
        for (DesiredDatabase database : desired.databases().values()) {
            if (!catalog.databases().containsKey(database.name())) {
                cluster.add(new SqlAction(MAINTENANCE_DB, "CREATE DATABASE " + ident(database.name()) + " OWNER " + ident(database.group("admin")),
                        true, false));
            }
        }
        for (DesiredDatabase database : desired.databases().values()) {
            planDatabase(database, catalog.databases().get(database.name()), createdGroups, cluster, perDatabase);
        }
        planMemberships(desired, catalog, cluster);
        for (DesiredDatabase database : desired.databases().values()) {
            planSessionRoles(desired, database, catalog.databases().get(database.name()), cluster);
        }
        List<SqlAction> removals = planRemovals(desired, managedBefore, catalog);

        List<SqlAction> plan = new ArrayList<>(cluster);
        plan.addAll(perDatabase);
        plan.addAll(removals);
        return plan;
    }

    private static void planUser(DesiredUser user, RoleState existing, String verifier, List<SqlAction> out) {
        String flags = " WITH LOGIN " + (user.replication() ? "REPLICATION" : "NOREPLICATION") + " " + (user.superuser() ? "SUPERUSER" : "NOSUPERUSER");
        if (existing == null) {
            if (verifier == null) {
                throw new IllegalArgumentException("a new user needs a password verifier: " + user.name());
            }
            out.add(new SqlAction(MAINTENANCE_DB, "CREATE ROLE " + ident(user.name()) + flags + " PASSWORD " + literal(verifier), false, true));
            return;
        }
        boolean flagsDiffer = !existing.login() || existing.replication() != user.replication() || existing.superuser() != user.superuser();
        if (flagsDiffer || verifier != null) {
            String sql = "ALTER ROLE " + ident(user.name()) + flags + (verifier == null ? "" : " PASSWORD " + literal(verifier));
            out.add(new SqlAction(MAINTENANCE_DB, sql, false, verifier != null));
        }
    }

    private static void planDatabase(DesiredDatabase database, DatabaseState existing, Set<String> createdGroups,
                                     List<SqlAction> cluster, List<SqlAction> perDatabase) {
        String name = database.name();
        String admin = database.group("admin");
        if (existing != null && !existing.owner().equals(admin)) {
            cluster.add(SqlAction.in(MAINTENANCE_DB, "ALTER DATABASE " + ident(name) + " OWNER TO " + ident(admin)));
        }
        Set<String> grants = existing == null ? Set.of("PUBLIC|CONNECT", "PUBLIC|TEMPORARY") : existing.grants();
        if (grants.stream().anyMatch(g -> g.startsWith("PUBLIC|"))) {
            cluster.add(SqlAction.in(MAINTENANCE_DB, "REVOKE ALL ON DATABASE " + ident(name) + " FROM PUBLIC"));
        }
        List<String> needConnect = database.levels().stream().map(database::group).filter(g -> !grants.contains(g + "|CONNECT")).toList();
        if (!needConnect.isEmpty()) {
            cluster.add(SqlAction.in(MAINTENANCE_DB, "GRANT CONNECT ON DATABASE " + ident(name) + " TO "
                    + String.join(", ", needConnect.stream().map(Sql::ident).toList())));
        }

        // Default privileges: for every admin member and the admin group itself, towards each group.
        Set<String> owners = new LinkedHashSet<>(database.members().getOrDefault("admin", List.of()));
        owners.add(admin);
        Set<String> present = existing == null ? Set.of() : existing.defaultPrivileges();
        for (String owner : owners) {
            for (String level : database.levels()) {
                Map<String, List<String>> byObject = DEFAULTS.get(level);
                if (byObject == null) {
                    continue; // monitoring reads statistics views, not the database's objects
                }
                for (String objtype : List.of("n", "r", "S", "f")) {
                    String grantee = database.group(level);
                    if (grantee.equals(owner)) {
                        continue;
                    }
                    List<String> privileges = byObject.get(objtype);
                    boolean complete = privileges.stream().allMatch(p -> present.contains(owner + "|" + objtype + "|" + grantee + "|" + p));
                    if (!complete) {
                        perDatabase.add(SqlAction.in(name, "ALTER DEFAULT PRIVILEGES FOR ROLE " + ident(owner) + " GRANT "
                                + String.join(", ", privileges) + " ON " + OBJECTS.get(objtype) + " TO " + ident(grantee)));
                    }
                }
            }
        }
        // Objects that were there before a group existed.
        if (existing != null) {
            for (String level : database.levels()) {
                String group = database.group(level);
                Map<String, List<String>> byObject = DEFAULTS.get(level);
                if (!createdGroups.contains(group) || byObject == null) {
                    continue;
                }
                for (String schema : existing.schemas()) {
                    perDatabase.add(SqlAction.in(name, "GRANT " + String.join(", ", byObject.get("n")) + " ON SCHEMA " + ident(schema)
                            + " TO " + ident(group)));
                    for (String objtype : List.of("r", "S", "f")) {
                        perDatabase.add(SqlAction.in(name, "GRANT " + String.join(", ", byObject.get(objtype)) + " ON "
                                + ALL_OBJECTS.get(objtype) + " IN SCHEMA " + ident(schema) + " TO " + ident(group)));
                    }
                }
            }
        }
        Set<String> installed = existing == null ? Set.of() : existing.extensions();
        for (String extension : database.extensions()) {
            if (!installed.contains(extension)) {
                // pgfleet's sessions put pg_catalog first in their search path: the schema is named, as a tenant's session would take it
                perDatabase.add(SqlAction.in(name, "CREATE EXTENSION IF NOT EXISTS " + ident(extension) + " SCHEMA public"));
            }
        }
    }

    private static void planMemberships(DesiredAccess desired, Catalog catalog, List<SqlAction> out) {
        Map<String, Set<String>> wanted = new LinkedHashMap<>();
        for (DesiredDatabase database : desired.databases().values()) {
            for (String level : database.levels()) {
                wanted.put(database.group(level), new TreeSet<>(database.members().getOrDefault(level, List.of())));
            }
        }
        for (Map.Entry<String, Set<String>> group : wanted.entrySet()) {
            for (String member : group.getValue()) {
                if (!memberOf(catalog, member).contains(group.getKey())) {
                    out.add(SqlAction.in(MAINTENANCE_DB, "GRANT " + ident(group.getKey()) + " TO " + ident(member)));
                }
            }
            for (RoleState role : catalog.roles().values()) {
                if (role.memberOf().contains(group.getKey()) && !group.getValue().contains(role.name())
                        && desired.users().containsKey(role.name())) {
                    out.add(SqlAction.in(MAINTENANCE_DB, "REVOKE " + ident(group.getKey()) + " FROM " + ident(role.name())));
                }
            }
        }
    }

    /** Admin members (not superusers) start their sessions in the database as its admin group; others do not. */
    private static void planSessionRoles(DesiredAccess desired, DesiredDatabase database, DatabaseState existing, List<SqlAction> out) {
        String admin = database.group("admin");
        Set<String> present = existing == null ? Set.of() : existing.sessionRoles();
        Set<String> wanted = new TreeSet<>();
        for (String member : database.members().getOrDefault("admin", List.of())) {
            DesiredUser user = desired.users().get(member);
            if (user != null && !user.superuser()) {
                wanted.add(member);
            }
        }
        for (String member : wanted) {
            if (!present.contains(member + "|" + admin)) {
                out.add(SqlAction.in(MAINTENANCE_DB, "ALTER ROLE " + ident(member) + " IN DATABASE " + ident(database.name())
                        + " SET role TO " + ident(admin)));
            }
        }
        for (String setting : new TreeSet<>(present)) {
            String user = setting.substring(0, setting.indexOf('|'));
            if (!wanted.contains(user) && desired.users().containsKey(user)) {
                out.add(SqlAction.in(MAINTENANCE_DB, "ALTER ROLE " + ident(user) + " IN DATABASE " + ident(database.name()) + " RESET role"));
            }
        }
    }

    private static List<SqlAction> planRemovals(DesiredAccess desired, Set<String> managedBefore, Catalog catalog) {
        List<SqlAction> out = new ArrayList<>();
        for (String user : new TreeSet<>(managedBefore)) {
            if (desired.users().containsKey(user) || !catalog.roles().containsKey(user)) {
                continue;
            }
            for (DatabaseState database : catalog.databases().values()) {
                String heir = catalog.roles().containsKey(database.name() + "_admin") ? database.name() + "_admin" : SUPERUSER;
                out.add(SqlAction.in(database.name(), "REASSIGN OWNED BY " + ident(user) + " TO " + ident(heir)));
                out.add(SqlAction.in(database.name(), "DROP OWNED BY " + ident(user)));
            }
            out.add(SqlAction.in(MAINTENANCE_DB, "DROP ROLE " + ident(user)));
        }
        return out;
    }

    /** Databases pgfleet made (owned by their admin group) that the document no longer has, by name. */
    public static List<String> removedDatabases(DesiredAccess desired, Catalog catalog) {
        return catalog.databases().values().stream()
                .filter(db -> !desired.databases().containsKey(db.name()) && db.owner().equals(db.name() + "_admin"))
                .map(DatabaseState::name).sorted().toList();
    }

    /** Dropping removed databases (when the operator asked for it): each in its own transaction, connections closed. */
    public static List<SqlAction> dropDatabases(List<String> databases) {
        return databases.stream().map(db -> new SqlAction(MAINTENANCE_DB, "DROP DATABASE " + ident(db) + " WITH (FORCE)", true, false))
                .toList();
    }

    private static Set<String> memberOf(Catalog catalog, String role) {
        RoleState state = catalog.roles().get(role);
        return state == null ? Set.of() : state.memberOf();
    }
}
