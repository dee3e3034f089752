package io.pgfleet.usermanager.sql;

import io.pgfleet.usermanager.plan.PlanStages;
import io.pgfleet.usermanager.plan.SqlAction;

import io.pgfleet.clusters.Endpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a plan in its stages ({@link PlanStages}): a stage's units side by side, on up to {@link #PARALLEL} connections
 * (the cores, 2 to 4), each unit's statements in one transaction, CREATE DATABASE on its own. A stage ends when all its units have; a failure names the first statement
 * refused in the plan's order (with any verifier masked) and PostgreSQL's message, and no later stage runs.
 */
public final class PlanExecutor {

    /** How many units of a stage run at once by default: the cores, at least 2 (the work is mostly the server's), at most 4. */
    public static final int PARALLEL = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private PlanExecutor() {
    }

    /** Runs every stage in order, with {@link #PARALLEL} units at once. */
    public static void run(InstanceConnections pool, Endpoint endpoint, List<SqlAction> plan) throws PlanFailedException {
        run(pool, endpoint, plan, PARALLEL);
    }

    /** Runs every stage in order, with up to {@code parallel} units at once. */
    public static void run(InstanceConnections pool, Endpoint endpoint, List<SqlAction> plan, int parallel) throws PlanFailedException {
        PlanStages stages = PlanStages.of(plan);
        ExecutorService side = null;
        try {
            for (PlanStages.Stage stage : stages.stages()) {
                if (stage.units().size() == 1 || parallel <= 1) {
                    for (List<SqlAction> unit : stage.units()) {
                        runUnit(pool, endpoint, unit);
                    }
                    continue;
                }
                if (side == null) {
                    side = Executors.newFixedThreadPool(parallel, runnable -> {
                        Thread thread = new Thread(runnable, "plan-executor");
                        thread.setDaemon(true);
                        return thread;
                    });
                }
                List<Future<?>> running = new ArrayList<>();
                for (List<SqlAction> unit : stage.units()) {
                    running.add(side.submit(() -> {
                        runUnit(pool, endpoint, unit);
                        return null;
                    }));
                }
                PlanFailedException first = null;
                for (Future<?> unit : running) {
                    try {
                        unit.get();
                    } catch (ExecutionException e) {
                        if (first == null && e.getCause() instanceof PlanFailedException failed) {
                            first = failed;
                        } else if (first == null) {
                            throw new IllegalStateException(e.getCause());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while running a plan", e);
                    }
                }
                if (first != null) {
                    throw first;
                }
            }
        } finally {
            if (side != null) {
                side.shutdownNow();
            }
        }
    }

    /** One unit: its statements in one transaction on a connection of its own (CREATE DATABASE alone, outside one). */
    private static void runUnit(InstanceConnections pool, Endpoint endpoint, List<SqlAction> unit) throws PlanFailedException {
        SqlAction current = unit.get(0);
        InstanceConnections.Lease lease = null;
        try {
            lease = pool.open(endpoint, current.database());
            Connection connection = lease.connection();
            boolean transactional = !current.ownTransaction();
            connection.setAutoCommit(!transactional);
            try (Statement sql = connection.createStatement()) {
                for (SqlAction action : unit) {
                    current = action;
                    sql.execute(action.sql());
                }
            }
            if (transactional) {
                connection.commit();
                connection.setAutoCommit(true);
            }
            lease.close();
        } catch (SQLException e) {
            if (lease != null) {
                lease.discard();
                lease.close();
            }
            throw new PlanFailedException(current, e);
        }
    }

    /** A statement PostgreSQL refused, or that the connection did not carry to the end. */
    public static final class PlanFailedException extends Exception {

        private final String sqlState;

        public PlanFailedException(SqlAction action, SQLException cause) {
            super(action + " failed: " + cause.getMessage(), cause);
            this.sqlState = cause.getSQLState();
        }

        /** The SQLSTATE of the failure; null when the connection broke before the server answered. */
        public String sqlState() {
            return sqlState;
        }
    }
}
