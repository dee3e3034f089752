package io.pgfleet.usermanager.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan in the order it runs: stages one after the other, the units of a stage side by side, each unit's statements in
 * order (one transaction, or one statement that needs its own). Pure: what may run side by side follows from what the
 * planner writes, in order —
 * <ul>
 *   <li>consecutive statements that need a transaction of their own ({@code CREATE DATABASE}, {@code DROP DATABASE}) each
 *       name another database: each is a unit;</li>
 *   <li>consecutive statements inside tenants' databases (default privileges, grants on their schemas, extensions,
 *       what a removed user owned) touch only the database they run in: one unit per database, its statements in
 *       their order;</li>
 *   <li>consecutive statements of the maintenance database (roles, memberships, grants on databases) depend on each
 *       other: one unit.</li>
 * </ul>
 */
public record PlanStages(List<Stage> stages) {

    /** Units that may run side by side. */
    public record Stage(List<List<SqlAction>> units) {

        public Stage {
            units = units.stream().map(List::copyOf).toList();
        }
    }

    public PlanStages {
        stages = List.copyOf(stages);
    }

    public static PlanStages of(List<SqlAction> plan) {
        String maintenance = AccessPlanner.MAINTENANCE_DB;
        List<Stage> stages = new ArrayList<>();
        int i = 0;
        while (i < plan.size()) {
            SqlAction first = plan.get(i);
            int j = i;
            if (first.ownTransaction()) {
                List<List<SqlAction>> units = new ArrayList<>();
                while (j < plan.size() && plan.get(j).ownTransaction()) {
                    units.add(List.of(plan.get(j++)));
                }
                stages.add(new Stage(units));
            } else if (!first.database().equals(maintenance)) {
                Map<String, List<SqlAction>> byDatabase = new LinkedHashMap<>();
                while (j < plan.size() && !plan.get(j).ownTransaction() && !plan.get(j).database().equals(maintenance)) {
                    byDatabase.computeIfAbsent(plan.get(j).database(), d -> new ArrayList<>()).add(plan.get(j++));
                }
                stages.add(new Stage(new ArrayList<>(byDatabase.values())));
            } else {
                while (j < plan.size() && !plan.get(j).ownTransaction() && plan.get(j).database().equals(maintenance)) {
                    j++;
                }
                stages.add(new Stage(List.of(plan.subList(i, j))));
            }
            i = j;
        }
        return new PlanStages(stages);
    }

    /** How many statements the plan has. */
    public int statements() {
        return stages.stream().mapToInt(stage -> stage.units().stream().mapToInt(List::size).sum()).sum();
    }
}
