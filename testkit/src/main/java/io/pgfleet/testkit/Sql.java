package io.pgfleet.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One-line SQL for tests that check what a user can and cannot do on a real server. */
public final class Sql {

    private Sql() {
    }

    /** Runs a statement. */
    public static void exec(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The first column of the first row, as a whole number. */
    public static int count(Connection connection, String sql) throws SQLException {
        return Integer.parseInt(text(connection, sql));
    }

    /** The first column of the first row, as text. */
    public static String text(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
