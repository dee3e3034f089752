package io.pgfleet.clusters;

/**
 * How to reach an instance's primary as its superuser. The password is a secret: it must never be
 * logged, put in an event or stored in a state table.
 *
 * @param host     address
 * @param port     port
 * @param user     superuser name
 * @param password superuser password
 */
public record Endpoint(String host, int port, String user, String password) {

    /** {@code jdbc:postgresql://host:port/database}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "Endpoint[" + user + "@" + host + ":" + port + "]";
    }
}
