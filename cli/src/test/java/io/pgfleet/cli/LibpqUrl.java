package io.pgfleet.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A libpq connection URI as {@code pgfleet connect} prints it ({@code postgresql://user:password@h1:p1,h2:p2/db?…}),
 * taken apart for pgjdbc: the same hosts, {@code target_session_attrs=read-write} as {@code targetServerType=primary},
 * the TLS parameters as they are.
 */
record LibpqUrl(String user, String password, String hosts, String database, String query) {

    static LibpqUrl parse(String uri) {
        String rest = uri.strip().replaceFirst("^postgresql://", "");
        String userInfo = rest.substring(0, rest.indexOf('@'));
        rest = rest.substring(rest.indexOf('@') + 1);
        String hosts = rest.substring(0, rest.indexOf('/'));
        String path = rest.substring(rest.indexOf('/') + 1);
        String database = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
        String[] credentials = userInfo.split(":", 2);
        String password = credentials.length > 1 ? decode(credentials[1]) : null;
        StringBuilder kept = new StringBuilder();
        for (String parameter : query.isEmpty() ? new String[0] : query.split("&")) {
            if (parameter.startsWith("passfile=")) {
                password = fromPassfile(java.nio.file.Path.of(decode(parameter.substring("passfile=".length()))));
            } else {
                kept.append(kept.length() == 0 ? "" : "&").append(parameter);
            }
        }
        return new LibpqUrl(decode(credentials[0]), password, hosts, decode(database), kept.toString());
    }

    /** The password of the first line of a libpq password file ({@code host:port:db:user:password}, '\\' escapes). */
    static String fromPassfile(java.nio.file.Path file) {
        try {
            String line = java.nio.file.Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
            int fields = 0;
            StringBuilder password = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    c = line.charAt(++i);
                    if (fields == 4) {
                        password.append(c);
                    }
                } else if (c == ':' && fields < 4) {
                    fields++;
                } else if (fields == 4) {
                    password.append(c);
                }
            }
            return password.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The pgjdbc URL of the same servers. */
    String jdbcUrl() {
        String parameters = query.replace("target_session_attrs=read-write", "targetServerType=primary");
        return "jdbc:postgresql://" + hosts + "/" + database + (parameters.isEmpty() ? "" : "?" + parameters);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
