package io.pgfleet.servers;

import io.pgfleet.host.LoopbackPorts;


/** Free TCP ports on loopback. */
public final class Ports {

    /** The address every server of the testkit listens on. */
    public static final String LOOPBACK = "127.0.0.1";

    private Ports() {
    }

    /** A port nothing listens on right now. */
    public static int free() {
        return LoopbackPorts.free();
    }
}
