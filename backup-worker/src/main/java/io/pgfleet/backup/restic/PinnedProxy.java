package io.pgfleet.backup.restic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP {@code CONNECT} proxy on loopback through which restic reaches a document's S3 endpoint at the address pgfleet
 * judged, never at whatever the name resolves to a moment later. A tenant who controls its endpoint's DNS could otherwise
 * answer with a public address when the endpoint is judged and with an internal one (169.254.169.254, 127.0.0.1, a
 * private service) when restic connects: a name is resolved once, by pgfleet, and that address is the only one the tunnel
 * opens. restic (Go) takes the proxy from {@code HTTPS_PROXY}; TLS stays end to end (the tunnel carries the handshake, so
 * the server's certificate is still verified against the endpoint's name). Each route has its own token in the proxy URL
 * (sent as {@code Proxy-Authorization}): a tunnel is opened only to the host and port of the route its token names.
 * One per process, started at first use.
 */
public final class PinnedProxy {

    private static final Logger LOG = LoggerFactory.getLogger(PinnedProxy.class);
    private static final int MAX_HEAD = 8192;
    private static final Duration ROUTE_LIFE = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static PinnedProxy shared;

    /** Where a token lets a tunnel go. */
    private record Route(String host, int port, InetAddress address, long madeAt) {
    }

    private final ServerSocket server;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "pinned-proxy");
        thread.setDaemon(true);
        return thread;
    });

    private PinnedProxy() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        threads.execute(this::accept);
    }

    /** The process's proxy, started at first use. */
    public static synchronized PinnedProxy shared() {
        if (shared == null) {
            try {
                shared = new PinnedProxy();
            } catch (IOException e) {
                throw new UncheckedIOException("the S3 proxy on loopback cannot start: " + e.getMessage(), e);
            }
        }
        return shared;
    }

    /**
     * The proxy URL ({@code http://pgfleet:<token>@127.0.0.1:<port>}) through which a client reaches {@code host:port} at
     * {@code address} only. It is a secret of the run it is given to (it opens a tunnel), never logged.
     */
    public String route(String host, int port, InetAddress address) {
        long now = System.nanoTime();
        routes.values().removeIf(route -> now - route.madeAt() > ROUTE_LIFE.toNanos());
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        routes.put(token, new Route(host.toLowerCase(Locale.ROOT), port, address, now));
        return "http://pgfleet:" + token + "@" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                LOG.warn("the S3 proxy stopped accepting: {}", e.getMessage());
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(30_000);
            Optional<String> head = head(client.getInputStream());
            if (head.isEmpty()) {
                return;
            }
            String[] lines = head.get().split("\r\n");
            String[] request = lines[0].split(" ");
            Optional<Route> route = token(lines).map(routes::get);
            OutputStream out = client.getOutputStream();
            if (route.isEmpty()) {
                answer(out, "407 Proxy Authentication Required");
                return;
            }
            String wanted = route.get().host() + ":" + route.get().port();
            if (request.length < 2 || !request[0].equals("CONNECT") || !request[1].toLowerCase(Locale.ROOT).equals(wanted)) {
                answer(out, "403 Forbidden");
                return;
            }
            try (Socket upstream = new Socket()) {
                try {
                    upstream.connect(new InetSocketAddress(route.get().address(), route.get().port()), 10_000);
                } catch (IOException e) {
                    answer(out, "502 Bad Gateway");
                    return;
                }
                answer(out, "200 Connection established");
                client.setSoTimeout(0);
                threads.execute(() -> pipe(client, upstream));
                pipe(upstream, client);
            }
        } catch (IOException e) {
            // the client or the endpoint went away
        }
    }

    /** The request's head, up to the empty line; empty when the client sent none or too much. */
    private static Optional<String> head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && head.size() < MAX_HEAD) {
            head.write(c);
            byte[] bytes = head.toByteArray();
            int n = bytes.length;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                return Optional.of(new String(bytes, StandardCharsets.ISO_8859_1));
            }
        }
        return Optional.empty();
    }

    /** The token of {@code Proxy-Authorization: Basic base64(user:token)}. */
    private static Optional<String> token(String[] lines) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Proxy-Authorization")) {
                String value = line.substring(colon + 1).trim();
                if (value.regionMatches(true, 0, "Basic ", 0, 6)) {
                    try {
                        String pair = new String(Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
                        return Optional.of(pair.substring(pair.indexOf(':') + 1));
                    } catch (IllegalArgumentException e) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static void answer(OutputStream out, String status) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Copies one direction of a tunnel until its end, then ends the other side's writing. */
    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side went away
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
