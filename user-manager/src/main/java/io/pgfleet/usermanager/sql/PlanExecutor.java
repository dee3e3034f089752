package io.pgfleet.usermanager.sql;

import io.pgfleet.runtime.cluster.Endpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * Runs a plan: consecutive statements of one database in one transaction, CREATE DATABASE on its
 * own. A failure names the statement (with any verifier masked) and PostgreSQL's message.
 */
public final class PlanExecutor {

    private PlanExecutor() {
    }

    /** Runs every action in order, with one connection per database for the whole plan. */
    public static void run(Endpoint endpoint, List<SqlAction> plan) throws PlanFailedException {
        Map<String, Connection> connections = new HashMap<>();
        try {
            int i = 0;
            while (i < plan.size()) {
                SqlAction first = plan.get(i);
                List<SqlAction> batch = new ArrayList<>(List.of(first));
                i++;
                while (!first.ownTransaction() && i < plan.size() && !plan.get(i).ownTransaction()
                        && plan.get(i).database().equals(first.database())) {
                    batch.add(plan.get(i++));
                }
                runBatch(endpoint, connections, batch);
            }
        } finally {
            connections.values().forEach(PlanExecutor::closeQuietly);
        }
    }

    private static void runBatch(Endpoint endpoint, Map<String, Connection> connections, List<SqlAction> batch) throws PlanFailedException {
        SqlAction current = batch.get(0);
        try {
            Connection connection = connections.get(current.database());
            if (connection == null) {
                connection = CatalogReader.connect(endpoint, current.database());
                connections.put(current.database(), connection);
            }
            boolean transactional = !current.ownTransaction();
            connection.setAutoCommit(!transactional);
            try (Statement sql = connection.createStatement()) {
                for (SqlAction action : batch) {
                    current = action;
                    sql.execute(action.sql());
                }
            }
            if (transactional) {
                connection.commit();
            }
        } catch (SQLException e) {
            throw new PlanFailedException(current, e.getMessage());
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // the plan's outcome is already decided
        }
    }

    /** A statement PostgreSQL refused. */
    public static final class PlanFailedException extends Exception {

        public PlanFailedException(SqlAction action, String message) {
            super(action + " failed: " + message);
        }
    }
}
