package io.pgfleet.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import io.pgfleet.host.FileTrees;

/**
 * An S3-compatible server (S3Proxy, filesystem backend) on loopback, with generated credentials
 * (AWS signature v2 or v4). Buckets are directories under its data directory. It answers over HTTP and, on a second
 * port, over HTTPS with a certificate for 127.0.0.1 ({@link LoopbackTls}; pgBackRest speaks only TLS to S3).
 */
public final class S3Server implements AutoCloseable {

    private final S3Proxy proxy;
    private final Path directory;
    private final String endpoint;
    private final String secureEndpoint;
    private final LoopbackTls tls;
    private final String accessKey;
    private final String secretKey;
    private final boolean temporary;

    /** Where the server answers: over HTTP, and over HTTPS. */
    private record Endpoints(String plain, String secure) {
    }

    private S3Server(S3Proxy proxy, Path directory, Endpoints endpoints, LoopbackTls tls, String accessKey, String secretKey,
                     boolean temporary) {
        this.proxy = proxy;
        this.directory = directory;
        this.endpoint = endpoints.plain();
        this.secureEndpoint = endpoints.secure();
        this.tls = tls;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.temporary = temporary;
    }

    /** Starts a server on a free port with its data in a temporary directory and fresh credentials. */
    public static S3Server start() {
        try {
            SecureRandom random = new SecureRandom();
            return start(Files.createTempDirectory("pgfleet-s3-"), Ports.free(),
                    "AK" + HexFormat.of().formatHex(random.generateSeed(8)).toUpperCase(),
                    HexFormat.of().formatHex(random.generateSeed(20)), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server with its data in {@code directory}; {@code temporary} removes it on close. */
    public static S3Server start(Path directory, int port, String accessKey, String secretKey, boolean temporary) {
        return start(directory, port, Ports.free(), accessKey, secretKey, temporary, AuthenticationType.AWS_V2_OR_V4);
    }

    /**
     * A server kept in {@code directory} that takes any credentials (the local stack: it listens on
     * loopback only, and documents carry their own S3 keys).
     */
    public static S3Server startOpen(Path directory, int port) {
        return startOpen(directory, port, Ports.free());
    }

    /** The same, its HTTPS endpoint on {@code tlsPort}. */
    public static S3Server startOpen(Path directory, int port, int tlsPort) {
        return start(directory, port, tlsPort, "any", "any", false, AuthenticationType.NONE);
    }

    private static S3Server start(Path directory, int port, int tlsPort, String accessKey, String secretKey, boolean temporary,
                                  AuthenticationType authentication) {
        String endpoint = "http://" + Ports.LOOPBACK + ":" + port;
        String secureEndpoint = "https://" + Ports.LOOPBACK + ":" + tlsPort;
        try {
            Files.createDirectories(directory);
            // Beside the buckets, not among them (a directory in there would be a bucket).
            LoopbackTls tls = LoopbackTls.in(directory.resolveSibling(directory.getFileName() + "-tls"), "s3-loopback");
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(new FilesystemNio2BlobStore(directory.toString()))
                    .endpoint(URI.create(endpoint))
                    .secureEndpoint(URI.create(secureEndpoint))
                    .keyStore(tls.keystore().toString(), tls.password())
                    .awsAuthentication(authentication, accessKey, secretKey)
                    .build();
            proxy.start();
            Waits.until("S3Proxy starting on " + endpoint, Duration.ofSeconds(30), () -> "STARTED".equals(proxy.getState()));
            return new S3Server(proxy, directory, new Endpoints(endpoint, secureEndpoint), tls, accessKey, secretKey, temporary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start on " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return endpoint;
    }

    /** {@code https://127.0.0.1:<tls port>}, verified with {@link #caCertificate()}. */
    public String secureEndpoint() {
        return secureEndpoint;
    }

    /** The PEM certificate the HTTPS endpoint is verified with. */
    public Path caCertificate() {
        return tls.certificate();
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The directory that holds the buckets. */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
        }
        if (temporary) {
            FileTrees.delete(directory);
            FileTrees.delete(tls.directory());
        }
    }
}
