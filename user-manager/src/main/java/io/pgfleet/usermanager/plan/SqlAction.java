package io.pgfleet.usermanager.plan;

/**
 * One statement of a plan.
 *
 * @param database where it runs ({@code postgres} for cluster-wide statements)
 * @param sql      the statement
 * @param ownTransaction whether it cannot run inside a transaction block (CREATE DATABASE)
 * @param secret   whether the statement holds a password verifier: it is never logged or shown
 */
public record SqlAction(String database, String sql, boolean ownTransaction, boolean secret) {

    static SqlAction in(String database, String sql) {
        return new SqlAction(database, sql, false, false);
    }

    @Override
    public String toString() {
        return database + ": " + (secret ? sql.replaceAll("PASSWORD '[^']*'", "PASSWORD '***'") : sql);
    }
}
