package io.pgfleet.usermanager.plan;

/** Quoting for SQL text. Names are validated before they get here; they are quoted all the same. */
public final class Sql {

    private Sql() {
    }

    /** A quoted identifier: {@code "name"}, with embedded quotes doubled. */
    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A string literal: {@code 'text'}, with embedded quotes doubled (standard_conforming_strings is on). */
    public static String literal(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a SQL literal cannot hold a NUL character");
        }
        return "'" + text.replace("'", "''") + "'";
    }
}
