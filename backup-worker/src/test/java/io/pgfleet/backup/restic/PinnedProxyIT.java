package io.pgfleet.backup.restic;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.testkit.Restic;
import io.pgfleet.servers.S3Server;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * restic reaches a document's HTTPS endpoint through the {@link PinnedProxy}, at the address pgfleet judged: here a name
 * that resolves nowhere, pinned to the test's S3 server, is reached; the same route to another name is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PinnedProxyIT {

    private S3Server s3;

    @BeforeAll
    void start() {
        Restic.requireInstalled();
        s3 = S3Server.start();
    }

    @AfterAll
    void stop() {
        s3.close();
    }

    private CommandResult restic(String proxy, String host, String... args) {
        int port = URI.create(s3.secureEndpoint()).getPort();
        Map<String, String> environment = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                "RESTIC_PASSWORD", "pinned", "HTTPS_PROXY", proxy, "NO_PROXY", ""));
        List<String> argv = new ArrayList<>(List.of("restic", "--no-cache", "--insecure-tls", "-r",
                "s3:https://" + host + ":" + port + "/pinned/repo", "-o", "s3.region=us-east-1"));
        argv.addAll(List.of(args));
        return ProcessRunner.run(argv, environment, Path.of("/"), Duration.ofMinutes(1));
    }

    @Test
    void resticGoesToThePinnedAddressWhateverTheNameAndOnlyToTheNameOfItsRoute() throws Exception {
        int port = URI.create(s3.secureEndpoint()).getPort();
        // s3.pgfleet.test resolves nowhere: reaching the repository at all shows the connection went to the pinned address.
        String route = PinnedProxy.shared().route("s3.pgfleet.test", port, InetAddress.getByName("127.0.0.1"));
        CommandResult init = restic(route, "s3.pgfleet.test", "init");
        assertThat(init.ok()).as(init.output()).isTrue();
        CommandResult snapshots = restic(route, "s3.pgfleet.test", "snapshots", "--json");
        assertThat(snapshots.ok()).as(snapshots.output()).isTrue();

        // The same route's token for another name: no tunnel.
        CommandResult elsewhere = restic(route, "metadata.pgfleet.test", "snapshots");
        assertThat(elsewhere.ok()).isFalse();
        assertThat(elsewhere.output()).contains("Forbidden");
    }

    @Test
    void aTunnelWithoutAKnownTokenIsRefused() throws Exception {
        String route = PinnedProxy.shared().route("s3.pgfleet.test", 9, InetAddress.getByName("127.0.0.1"));
        URI proxy = URI.create(route);
        for (String authorization : List.of("", "Proxy-Authorization: Basic cGdmbGVldDpub3QtYS10b2tlbg==\r\n")) {
            try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("CONNECT s3.pgfleet.test:9 HTTP/1.1\r\nHost: s3.pgfleet.test:9\r\n" + authorization + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = socket.getInputStream();
                String answer = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
                assertThat(answer).isEqualTo("HTTP/1.1 407");
            }
        }
    }
}
