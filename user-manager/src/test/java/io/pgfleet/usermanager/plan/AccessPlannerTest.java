package io.pgfleet.usermanager.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.usermanager.plan.Catalog.DatabaseState;
import io.pgfleet.usermanager.plan.Catalog.RoleState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPlannerTest {

    static final Catalog FRESH = new Catalog(
            Map.of("postgres", new RoleState("postgres", true, true, true, Set.of(), "SCRAM-SHA-256$x")),
            Map.of("postgres", new DatabaseState("postgres", "postgres", Set.of("PUBLIC|CONNECT", "PUBLIC|TEMPORARY"), Set.of(),
                    Set.of("public"), Set.of())));

    static DesiredAccess complete() {
        Postgres doc = PayloadReader.fromText(ReferenceExamples.documents().get(1).text(), Postgres.class).value();
        return DesiredAccess.of(doc.spec());
    }

    static Map<String, String> verifiers(String... users) {
        Map<String, String> verifiers = new HashMap<>();
        for (String user : users) {
            verifiers.put(user, "SCRAM-SHA-256$4096:c2FsdA==$" + user + ":key");
        }
        return verifiers;
    }

    private static List<String> sql(List<SqlAction> plan) {
        return plan.stream().map(SqlAction::toString).toList();
    }

    @Test
    void aFreshInstanceGetsEverythingOfTheCompleteExample() {
        List<String> plan = sql(AccessPlanner.plan(complete(), Set.of(), FRESH, verifiers("admin", "app_user", "readonly_user")));
        assertThat(plan).containsSubsequence(
                "postgres: CREATE ROLE \"analytics_admin\" NOLOGIN",
                "postgres: CREATE ROLE \"myapp_admin\" NOLOGIN",
                "postgres: CREATE ROLE \"admin\" WITH LOGIN NOREPLICATION NOSUPERUSER PASSWORD '***'",
                "postgres: CREATE ROLE \"readonly_user\" WITH LOGIN REPLICATION NOSUPERUSER PASSWORD '***'",
                "postgres: CREATE DATABASE \"analytics\" OWNER \"analytics_admin\"",
                "postgres: CREATE DATABASE \"myapp\" OWNER \"myapp_admin\"",
                "postgres: REVOKE ALL ON DATABASE \"analytics\" FROM PUBLIC",
                "postgres: GRANT CONNECT ON DATABASE \"analytics\" TO \"analytics_admin\", \"analytics_readonly\"",
                "postgres: GRANT \"myapp_admin\" TO \"admin\"",
                "postgres: GRANT \"myapp_admin\" TO \"app_user\"",
                "postgres: GRANT \"myapp_readonly\" TO \"readonly_user\"",
                "analytics: CREATE EXTENSION IF NOT EXISTS \"hstore\" SCHEMA public",
                "analytics: CREATE EXTENSION IF NOT EXISTS \"pg_stat_statements\" SCHEMA public");
        assertThat(plan).contains(
                "myapp: ALTER DEFAULT PRIVILEGES FOR ROLE \"app_user\" GRANT SELECT ON TABLES TO \"myapp_readonly\"",
                "myapp: ALTER DEFAULT PRIVILEGES FOR ROLE \"admin\" GRANT SELECT, USAGE ON SEQUENCES TO \"myapp_readonly\"",
                "myapp: ALTER DEFAULT PRIVILEGES FOR ROLE \"admin\" GRANT USAGE ON SCHEMAS TO \"myapp_readonly\"",
                "myapp: ALTER DEFAULT PRIVILEGES FOR ROLE \"app_user\" GRANT DELETE, INSERT, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE ON TABLES TO \"myapp_admin\"",
                "myapp: ALTER DEFAULT PRIVILEGES FOR ROLE \"myapp_admin\" GRANT EXECUTE ON FUNCTIONS TO \"myapp_readonly\"");
        assertThat(plan).noneMatch(s -> s.contains("myapp: CREATE EXTENSION"));
        assertThat(plan).noneMatch(s -> s.contains("_app\"") || s.contains("_monitoring"));
        // CREATE DATABASE cannot run in a transaction block.
        assertThat(AccessPlanner.plan(complete(), Set.of(), FRESH, verifiers("admin", "app_user", "readonly_user")))
                .filteredOn(SqlAction::ownTransaction).extracting(SqlAction::sql).allMatch(s -> s.startsWith("CREATE DATABASE"));
    }

    @Test
    void theHighAvailabilityExampleGetsAppAndMonitoringGroups() {
        Postgres doc = PayloadReader.fromText(ReferenceExamples.documents().get(2).text(), Postgres.class).value();
        List<String> plan = sql(AccessPlanner.plan(DesiredAccess.of(doc.spec()), Set.of(), FRESH,
                verifiers("admin", "app_user", "monitoring_user")));
        assertThat(plan).contains("postgres: CREATE ROLE \"production_app\" NOLOGIN", "postgres: CREATE ROLE \"production_monitoring\" NOLOGIN",
                "postgres: GRANT pg_monitor TO \"production_monitoring\"", "postgres: GRANT \"production_app\" TO \"app_user\"",
                "postgres: GRANT CONNECT ON DATABASE \"production\" TO \"production_admin\", \"production_readonly\", \"production_app\", \"production_monitoring\"",
                "production: ALTER DEFAULT PRIVILEGES FOR ROLE \"admin\" GRANT DELETE, INSERT, SELECT, TRUNCATE, UPDATE ON TABLES TO \"production_app\"");
    }

    @Test
    void anInstanceThatMatchesGetsAnEmptyPlan() {
        DesiredAccess desired = complete();
        assertThat(AccessPlanner.plan(desired, Set.of("admin", "app_user", "readonly_user"), applied(desired), Map.of())).isEmpty();
    }

    @Test
    void aUserNoLongerWantedIsDroppedAfterItsObjectsGoToTheAdminGroups() {
        DesiredAccess desired = complete();
        Catalog catalog = applied(desired);
        Map<String, RoleState> roles = new HashMap<>(catalog.roles());
        roles.put("old_user", new RoleState("old_user", true, false, false, Set.of("myapp_admin"), "v"));
        roles.put("someone_else", new RoleState("someone_else", true, false, false, Set.of(), "v"));
        List<String> plan = sql(AccessPlanner.plan(desired, Set.of("admin", "app_user", "readonly_user", "old_user"),
                new Catalog(roles, catalog.databases()), Map.of()));
        assertThat(plan).containsExactly(
                "analytics: REASSIGN OWNED BY \"old_user\" TO \"analytics_admin\"",
                "analytics: DROP OWNED BY \"old_user\"",
                "myapp: REASSIGN OWNED BY \"old_user\" TO \"myapp_admin\"",
                "myapp: DROP OWNED BY \"old_user\"",
                "postgres: REASSIGN OWNED BY \"old_user\" TO \"postgres\"",
                "postgres: DROP OWNED BY \"old_user\"",
                "postgres: DROP ROLE \"old_user\"");
    }

    @Test
    void aMembershipRemovedFromTheDocumentIsRevoked() {
        DesiredAccess desired = complete();
        Catalog catalog = applied(desired);
        Map<String, RoleState> roles = new HashMap<>(catalog.roles());
        roles.put("readonly_user", new RoleState("readonly_user", true, true, false, Set.of("myapp_readonly", "analytics_admin"), "v"));
        assertThat(sql(AccessPlanner.plan(desired, Set.of(), new Catalog(roles, catalog.databases()), Map.of())))
                .containsExactly("postgres: REVOKE \"analytics_admin\" FROM \"readonly_user\"");
    }

    @Test
    void changedFlagsAndPasswordsAlterTheRoleOnly() {
        DesiredAccess desired = complete();
        Catalog catalog = applied(desired);
        Map<String, RoleState> roles = new HashMap<>(catalog.roles());
        roles.put("readonly_user", new RoleState("readonly_user", true, false, true, Set.of("myapp_readonly"), "v"));
        List<SqlAction> plan = AccessPlanner.plan(desired, Set.of(), new Catalog(roles, catalog.databases()), verifiers("admin"));
        assertThat(sql(plan)).containsExactly(
                "postgres: ALTER ROLE \"admin\" WITH LOGIN NOREPLICATION NOSUPERUSER PASSWORD '***'",
                "postgres: ALTER ROLE \"readonly_user\" WITH LOGIN REPLICATION NOSUPERUSER");
        assertThat(plan.get(0).secret()).isTrue();
        assertThat(plan.get(0).sql()).contains("PASSWORD 'SCRAM-SHA-256$4096:");
        assertThat(plan.get(1).secret()).isFalse();
    }

    @Test
    void aGroupAddedToAnOldDatabaseGetsTheObjectsAlreadyThere() {
        DesiredAccess desired = complete();
        Catalog catalog = applied(desired);
        Map<String, RoleState> roles = new HashMap<>(catalog.roles());
        roles.remove("myapp_readonly");
        Map<String, DatabaseState> databases = new HashMap<>(catalog.databases());
        DatabaseState myapp = databases.get("myapp");
        databases.put("myapp", new DatabaseState("myapp", myapp.owner(), myapp.grants(), myapp.extensions(), Set.of("public", "sales"),
                myapp.defaultPrivileges()));
        assertThat(sql(AccessPlanner.plan(desired, Set.of(), new Catalog(roles, databases), Map.of()))).contains(
                "postgres: CREATE ROLE \"myapp_readonly\" NOLOGIN",
                "myapp: GRANT SELECT ON ALL TABLES IN SCHEMA \"sales\" TO \"myapp_readonly\"",
                "myapp: GRANT USAGE ON SCHEMA \"sales\" TO \"myapp_readonly\"");
    }

    @Test
    void adminMembersStartTheirSessionsAsTheAdminGroupSoTheyOwnTogether() {
        List<String> plan = sql(AccessPlanner.plan(complete(), Set.of(), FRESH, verifiers("admin", "app_user", "readonly_user")));
        assertThat(plan).containsSubsequence(
                "postgres: GRANT \"myapp_admin\" TO \"admin\"",
                "postgres: ALTER ROLE \"admin\" IN DATABASE \"myapp\" SET role TO \"myapp_admin\"");
        assertThat(plan).contains("postgres: ALTER ROLE \"app_user\" IN DATABASE \"myapp\" SET role TO \"myapp_admin\"",
                "postgres: ALTER ROLE \"admin\" IN DATABASE \"analytics\" SET role TO \"analytics_admin\"");
        assertThat(plan).noneMatch(s -> s.contains("\"readonly_user\" IN DATABASE"));
    }

    @Test
    void aSuperuserAdminMemberKeepsItsOwnIdentity() {
        DesiredAccess desired = complete();
        Map<String, DesiredAccess.DesiredUser> users = new HashMap<>(desired.users());
        DesiredAccess.DesiredUser admin = users.get("admin");
        users.put("admin", new DesiredAccess.DesiredUser(admin.name(), admin.replication(), true));
        DesiredAccess withSuperuser = new DesiredAccess(users, desired.databases());
        assertThat(sql(AccessPlanner.plan(withSuperuser, Set.of(), FRESH, verifiers("admin", "app_user", "readonly_user"))))
                .noneMatch(s -> s.contains("\"admin\" IN DATABASE"));
    }

    @Test
    void anAdminWhoIsNoLongerOneStartsAsHimselfAgain() {
        DesiredAccess desired = complete();
        Catalog catalog = applied(desired);
        Map<String, DatabaseState> databases = new HashMap<>(catalog.databases());
        DatabaseState myapp = databases.get("myapp");
        Set<String> sessionRoles = new HashSet<>(myapp.sessionRoles());
        sessionRoles.add("readonly_user|myapp_admin");
        databases.put("myapp", new DatabaseState(myapp.name(), myapp.owner(), myapp.grants(), myapp.extensions(), myapp.schemas(),
                myapp.defaultPrivileges(), sessionRoles));
        assertThat(sql(AccessPlanner.plan(desired, Set.of(), new Catalog(catalog.roles(), databases), Map.of())))
                .containsExactly("postgres: ALTER ROLE \"readonly_user\" IN DATABASE \"myapp\" RESET role");
    }

    @Test
    void aDatabasePgfleetMadeThatTheDocumentNoLongerHasIsFoundAndOthersAreLeftAlone() {
        DesiredAccess desired = complete();
        Catalog catalog = applied(desired);
        Map<String, DatabaseState> databases = new HashMap<>(catalog.databases());
        databases.put("old_reports", new DatabaseState("old_reports", "old_reports_admin", Set.of(), Set.of(), Set.of("public"), Set.of()));
        databases.put("handmade", new DatabaseState("handmade", "postgres", Set.of(), Set.of(), Set.of("public"), Set.of()));
        Catalog withRemoved = new Catalog(catalog.roles(), databases);
        assertThat(AccessPlanner.removedDatabases(desired, withRemoved)).containsExactly("old_reports");
        assertThat(AccessPlanner.removedDatabases(desired, catalog)).isEmpty();
    }

    @Test
    void removedDatabasesAreDroppedOneTransactionEachWhenTheOperatorAsks() {
        assertThat(AccessPlanner.dropDatabases(List.of("old_reports", "b\"q")))
                .extracting(a -> a.database() + ": " + a.sql() + " " + a.ownTransaction())
                .containsExactly("postgres: DROP DATABASE \"old_reports\" WITH (FORCE) true", "postgres: DROP DATABASE \"b\"\"q\" WITH (FORCE) true");
    }

    @Test
    void aNewUserWithoutAVerifierIsAProgrammingError() {
        assertThatThrownBy(() -> AccessPlanner.plan(complete(), Set.of(), FRESH, Map.of())).hasMessageContaining("needs a password verifier");
    }

    @Test
    void namesAndLiteralsAreQuoted() {
        assertThat(Sql.ident("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(Sql.literal("it's $$ \\")).isEqualTo("'it''s $$ \\'");
        assertThatThrownBy(() -> Sql.literal("nul\0")).hasMessageContaining("NUL");
    }

    /** The catalog of an instance on which {@code desired} was applied, by the semantics the planner documents. */
    private static Catalog applied(DesiredAccess desired) {
        Map<String, RoleState> roles = new HashMap<>(FRESH.roles());
        Map<String, Set<String>> memberOf = new HashMap<>();
        Map<String, DatabaseState> databases = new HashMap<>(FRESH.databases());
        for (DesiredAccess.DesiredDatabase database : desired.databases().values()) {
            Set<String> grants = new HashSet<>();
            Set<String> defaults = new HashSet<>();
            Set<String> owners = new HashSet<>(database.members().get("admin"));
            owners.add(database.group("admin"));
            for (String level : database.levels()) {
                String group = database.group(level);
                roles.put(group, new RoleState(group, false, false, false, level.equals("monitoring") ? Set.of("pg_monitor") : Set.of(), null));
                grants.add(group + "|CONNECT");
                database.members().get(level).forEach(m -> memberOf.computeIfAbsent(m, k -> new HashSet<>()).add(group));
                Map<String, List<String>> byObject = Map.of(
                        "admin", Map.of("r", List.of("DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"),
                                "S", List.of("SELECT", "UPDATE", "USAGE"), "f", List.of("EXECUTE"), "n", List.of("CREATE", "USAGE")),
                        "readonly", Map.of("r", List.of("SELECT"), "S", List.of("SELECT", "USAGE"), "f", List.of("EXECUTE"), "n", List.of("USAGE")),
                        "app", Map.of("r", List.of("DELETE", "INSERT", "SELECT", "TRUNCATE", "UPDATE"), "S", List.of("SELECT", "UPDATE", "USAGE"),
                                "f", List.of("EXECUTE"), "n", List.of("USAGE"))).getOrDefault(level, Map.of());
                for (String owner : owners) {
                    if (owner.equals(group)) {
                        continue;
                    }
                    byObject.forEach((objtype, privileges) -> privileges.forEach(p -> defaults.add(owner + "|" + objtype + "|" + group + "|" + p)));
                }
            }
            Set<String> sessionRoles = new HashSet<>();
            database.members().get("admin").stream().filter(m -> !desired.users().get(m).superuser())
                    .forEach(m -> sessionRoles.add(m + "|" + database.group("admin")));
            databases.put(database.name(), new DatabaseState(database.name(), database.group("admin"), grants,
                    Set.copyOf(database.extensions()), Set.of("public"), defaults, sessionRoles));
        }
        for (DesiredAccess.DesiredUser user : desired.users().values()) {
            roles.put(user.name(), new RoleState(user.name(), true, user.replication(), user.superuser(),
                    memberOf.getOrDefault(user.name(), Set.of()), "SCRAM-SHA-256$stored"));
        }
        return new Catalog(roles, databases);
    }
}
