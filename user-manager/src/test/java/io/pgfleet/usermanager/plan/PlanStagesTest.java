package io.pgfleet.usermanager.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanStagesTest {

    private static SqlAction in(String database, String sql) {
        return SqlAction.in(database, sql);
    }

    private static SqlAction alone(String sql) {
        return new SqlAction("postgres", sql, true, false);
    }

    @Test
    void newDatabasesAreMadeSideBySideAndEachDatabasesStatementsRunTogetherInTheirOrder() {
        List<SqlAction> plan = List.of(
                in("postgres", "CREATE ROLE a_admin NOLOGIN"),
                in("postgres", "CREATE ROLE ann LOGIN"),
                alone("CREATE DATABASE a OWNER a_admin"),
                alone("CREATE DATABASE b OWNER b_admin"),
                in("postgres", "REVOKE ALL ON DATABASE a FROM PUBLIC"),
                in("postgres", "GRANT a_admin TO ann"),
                in("a", "ALTER DEFAULT PRIVILEGES FOR ROLE ann GRANT SELECT ON TABLES TO a_readonly"),
                in("b", "CREATE EXTENSION IF NOT EXISTS hstore SCHEMA public"),
                in("a", "CREATE EXTENSION IF NOT EXISTS hstore SCHEMA public"),
                in("postgres", "DROP ROLE old"));
        PlanStages stages = PlanStages.of(plan);
        assertThat(stages.stages()).extracting(stage -> stage.units().size()).containsExactly(1, 2, 1, 2, 1);
        // the maintenance database's statements stay one unit, in order: each may need the one before
        assertThat(stages.stages().get(0).units().get(0)).containsExactly(plan.get(0), plan.get(1));
        assertThat(stages.stages().get(1).units()).containsExactly(List.of(plan.get(2)), List.of(plan.get(3)));
        assertThat(stages.stages().get(3).units()).containsExactly(List.of(plan.get(6), plan.get(8)), List.of(plan.get(7)));
        assertThat(stages.statements()).isEqualTo(plan.size());
    }

    @Test
    void thePlannersOutputMakesEveryNewDatabaseInOneStage() {
        List<SqlAction> plan = AccessPlanner.plan(AccessPlannerTest.complete(), java.util.Set.of(), AccessPlannerTest.FRESH,
                AccessPlannerTest.verifiers("admin", "app_user", "readonly_user"));
        List<PlanStages.Stage> creating = PlanStages.of(plan).stages().stream()
                .filter(stage -> stage.units().stream().flatMap(List::stream).anyMatch(SqlAction::ownTransaction)).toList();
        assertThat(creating).singleElement().satisfies(stage -> assertThat(stage.units()).hasSize(2));
    }
}
