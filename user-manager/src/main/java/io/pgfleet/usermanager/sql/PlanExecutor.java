package io.pgfleet.usermanager.sql;

import io.pgfleet.usermanager.plan.SqlAction;

import io.pgfleet.clusters.Endpoint;
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
    public static void run(InstanceConnections pool, Endpoint endpoint, List<SqlAction> plan) throws PlanFailedException {
        Map<String, InstanceConnections.Lease> connections = new HashMap<>();
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
                runBatch(pool, endpoint, connections, batch);
            }
        } finally {
            connections.values().forEach(InstanceConnections.Lease::close);
        }
    }

    private static void runBatch(InstanceConnections pool, Endpoint endpoint, Map<String, InstanceConnections.Lease> connections,
                                 List<SqlAction> batch) throws PlanFailedException {
        SqlAction current = batch.get(0);
        InstanceConnections.Lease lease = connections.get(current.database());
        try {
            if (lease == null) {
                lease = pool.open(endpoint, current.database());
                connections.put(current.database(), lease);
            }
            Connection connection = lease.connection();
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
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (lease != null) {
                lease.discard();
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
