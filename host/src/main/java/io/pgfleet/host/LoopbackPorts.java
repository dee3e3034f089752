package io.pgfleet.host;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.net.InetSocketAddress;

/**
 * Free ports on 127.0.0.1 for servers this code starts, chosen below the kernel's ephemeral range:
 * a port from that range (what {@code new ServerSocket(0)} gives) may be taken as the local port of
 * any outgoing connection between the moment it is found free and the moment the server binds it. Blocks of consecutive
 * ports (a whole stack's, bound one server after another over seconds) come from a range of their own, below the single
 * ports: a server that takes one free port (another test's, beside the stack) can never take one of a block's.
 */
public final class LoopbackPorts {

    private static final int LOWEST_BLOCK = 20_000;
    private static final int LOWEST = 22_000;

    private LoopbackPorts() {
    }

    /** A port that was free just now, outside the ephemeral range. */
    public static int free() {
        int below = ephemeralStart();
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (isFree(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1 between " + LOWEST + " and " + below);
    }

    /**
     * The first of {@code size} consecutive ports that were free just now (for a stack of servers on base + n), from the
     * blocks' own range, which {@link #free()} never gives.
     */
    public static int freeBlock(int size) {
        for (int attempt = 0; attempt < 500; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOWEST_BLOCK, LOWEST - size);
            boolean free = true;
            for (int port = base; port < base + size && free; port++) {
                free = isFree(port);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no block of " + size + " free ports on 127.0.0.1");
    }

    /** Whether a server could bind {@code port} on 127.0.0.1 now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return start > LOWEST + 1000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
