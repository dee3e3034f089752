package io.pgfleet.clusters;

/**
 * One of an instance's connection pools as observed: where clients connect, and whether it serves.
 *
 * @param pool  {@code rw} (to the primary) or {@code ro} (to a standby)
 * @param host  the address clients connect to
 * @param port  its port
 * @param state {@code running}, or {@code stopped} (configured, its process not running), or {@code waiting} (no member
 *              to lead to yet)
 */
public record PoolerEndpoint(String pool, String host, int port, String state) {
}
