package io.pgfleet.clusters;

/**
 * One of an instance's connection pools as observed: where clients connect, and whether it serves.
 *
 * @param pool  {@code rw} (to the primary) or {@code ro} (to a standby)
 * @param host  the address clients connect to
 * @param port  its port
 * @param state {@code running}, or {@code stopped} (configured, its process not running), or {@code waiting} (no member
 *              to lead to yet)
 * @param use   what the pool is doing (PgBouncer's {@code SHOW POOLS}, summed over its databases and roles), when read
 */
public record PoolerEndpoint(String pool, String host, int port, String state, Use use) {

    /**
     * A pool's use at one moment.
     *
     * @param clientsActive  clients linked to a server connection or idle with nothing to do
     * @param clientsWaiting clients waiting for a server connection
     * @param serversActive  server connections linked to a client
     * @param serversIdle    server connections free for the next client
     * @param maxWaitSeconds how long the oldest waiting client has waited
     */
    public record Use(long clientsActive, long clientsWaiting, long serversActive, long serversIdle, double maxWaitSeconds) {
    }
}
