package io.pgfleet.backup.run;

import io.pgfleet.clusters.Endpoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each table's rows in one database, counted in the snapshot {@code pg_dump --snapshot} then dumps from, so that the counts
 * a backup's manifest records are those of its dump, and a restore drill compares the restored tables with them. The
 * tables are those whose rows a dump carries: ordinary tables (partitions included), not the catalogue's, nor an
 * extension's own (its {@code CREATE EXTENSION} makes them). Names are {@code schema.table}, each quoted as an identifier
 * where it needs to be.
 */
final class TableRows implements AutoCloseable {

    private static final String TABLES = "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c "
            + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
            + "AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema']) AND n.nspname !~ '^pg_(toast|temp)' "
            + "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
            + "AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1";

    private final Connection connection;
    private final String snapshot;

    private TableRows(Connection connection, String snapshot) {
        this.connection = connection;
        this.snapshot = snapshot;
    }

    /** A read-only repeatable-read transaction on {@code database}, its snapshot exported; open until closed. */
    static TableRows open(Endpoint endpoint, String database) throws SQLException {
        Connection connection = InstanceCatalog.connect(endpoint, database);
        try (Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            sql.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            try (ResultSet rows = sql.executeQuery("SELECT pg_catalog.pg_export_snapshot()")) {
                rows.next();
                return new TableRows(connection, rows.getString(1));
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    /** The exported snapshot's id, for {@code pg_dump --snapshot}. */
    String snapshot() {
        return snapshot;
    }

    /** Each table's rows in the snapshot. */
    Map<String, Long> count() throws SQLException {
        return count(connection);
    }

    /** Each table's rows, as this connection sees them. */
    static Map<String, Long> count(Connection connection) throws SQLException {
        List<String> tables = new ArrayList<>();
        Map<String, Long> counts = new TreeMap<>();
        try (Statement sql = connection.createStatement()) {
            try (ResultSet rows = sql.executeQuery(TABLES)) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            for (String table : tables) {
                // The name is format('%I.%I')'s: quoted where needed, so it is only ever that table.
                try (ResultSet rows = sql.executeQuery("SELECT pg_catalog.count(*) FROM ONLY " + table)) {
                    rows.next();
                    counts.put(table, rows.getLong(1));
                }
            }
        }
        return counts;
    }

    /** Each table's rows in {@code database} now. */
    static Map<String, Long> count(Endpoint endpoint, String database) throws SQLException {
        try (Connection connection = InstanceCatalog.connect(endpoint, database)) {
            return count(connection);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.rollback();
        } finally {
            connection.close();
        }
    }
}
