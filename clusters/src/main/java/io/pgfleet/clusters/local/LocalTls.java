package io.pgfleet.clusters.local;

import io.pgfleet.host.ProcessRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import io.pgfleet.host.FileTrees;
import io.pgfleet.host.OsUser;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TLS for local members, with OpenSSL (the {@code openssl} program): one CA per data root ({@code <data-root>/tls/ca.key},
 * mode 0600, and {@code ca.crt}), made once, that signs a server certificate per member ({@code server.crt} and
 * {@code server.key} in the member's data directory, the key 0600 and owned by the PostgreSQL account) naming every
 * address the member listens on. Keys are ECDSA P-256: as strong as RSA 3072, made in a millisecond where an RSA key took
 * 0.1-0.3 s per member (most of what TLS added to a provision). A certificate is issued again when it is missing, expires within 30 days, was not
 * signed by this CA or does not name the addresses; PostgreSQL reloads it with the configuration.
 */
final class LocalTls {

    /** The file names PostgreSQL reads, relative to the data directory. */
    static final String CERT = "server.crt";
    static final String KEY = "server.key";
    /** A certificate this close to its end is issued again. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final Path directory;

    LocalTls(Path dataRoot) {
        this.directory = dataRoot.resolve("tls");
    }

    /** The CA certificate clients verify members with (made on first use). */
    Path caCertificate() {
        Path cert = directory.resolve("ca.crt");
        if (!Files.exists(cert)) {
            makeCa();
        }
        return cert;
    }

    private synchronized void makeCa() {
        Path cert = directory.resolve("ca.crt");
        if (Files.exists(cert)) {
            return;
        }
        try {
            Files.createDirectories(directory);
            Path key = directory.resolve("ca.key");
            Path partial = directory.resolve("ca.crt.new");
            Files.deleteIfExists(key);
            ProcessRunner.check(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out",
                    partial.toString(), "-days", "3650", "-subj", "/CN=pgfleet local CA",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"), Map.of(), directory, TIMEOUT);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(partial, cert, StandardCopyOption.ATOMIC_MOVE);
            directory.toFile().setExecutable(true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The serial number of the member's certificate (hex), when it has one this CA signed that still serves these addresses. */
    Optional<String> validSerial(Path dataDir, Set<String> addresses, Instant now) {
        Path file = dataDir.resolve(CERT);
        if (!Files.exists(file) || !Files.exists(dataDir.resolve(KEY))) {
            return Optional.empty();
        }
        try {
            X509Certificate cert = read(file);
            X509Certificate ca = read(caCertificate());
            cert.verify(ca.getPublicKey());
            if (cert.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE)) || !names(cert).containsAll(addresses)) {
                return Optional.empty();
            }
            return Optional.of(cert.getSerialNumber().toString(16));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Why the member's certificate must be issued again soon, when it must: it is missing, or it ends within
     * {@link #RENEW_BEFORE}. Read on every health check, so it only parses the file (no signature, no CA).
     */
    private final Map<Path, Object[]> notAfter = new ConcurrentHashMap<>();

    Optional<String> renewalDue(String member, Path dataDir, Instant now) {
        Path file = dataDir.resolve(CERT);
        if (!Files.exists(file)) {
            return Optional.of(member + " has no server certificate");
        }
        try {
            // Read again only when the file changed (a health check asks every few seconds for every member).
            long modified = Files.getLastModifiedTime(file).toMillis();
            Object[] known = notAfter.get(file);
            Instant end;
            if (known != null && (long) known[0] == modified) {
                end = (Instant) known[1];
            } else {
                end = read(file).getNotAfter().toInstant();
                notAfter.put(file, new Object[] {modified, end});
            }
            return end.isBefore(now.plus(RENEW_BEFORE))
                    ? Optional.of(member + "'s server certificate ends " + end.truncatedTo(ChronoUnit.SECONDS)) : Optional.empty();
        } catch (IOException | CertificateException e) {
            return Optional.of(member + "'s server certificate cannot be read");
        }
    }

    /** Issues the member's certificate for these addresses (IP addresses and host names), replacing any it had. */
    void issue(Path dataDir, String commonName, Set<String> addresses, OsUser owner) {
        install(dataDir, make(commonName, addresses), owner);
    }

    /** A key and the certificate the CA signed for it, not yet anywhere a server reads them. */
    record Issued(String key, String certificate) {

        @Override
        public String toString() {
            return "Issued[certificate only]";   // the key stays out of any log line
        }
    }

    /**
     * Makes the member's key and certificate (one openssl run) in the background, so that it runs while the member's data
     * is being made; {@link #install} them once it is.
     */
    CompletableFuture<Issued> makeAhead(String commonName, Set<String> addresses) {
        return CompletableFuture.supplyAsync(() -> make(commonName, addresses), AHEAD);
    }

    private static final ExecutorService AHEAD = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "tls-ahead");
        thread.setDaemon(true);
        return thread;
    });

    /** Makes a key and the certificate the CA signs for these addresses (one openssl run). */
    Issued make(String commonName, Set<String> addresses) {
        List<String> names = new ArrayList<>();
        for (String address : new TreeSet<>(addresses)) {
            names.add((address.matches("[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]*") ? "IP:" : "DNS:") + address);
        }
        return make(commonName, List.of("-addext", "subjectAltName=" + String.join(",", names), "-addext", "extendedKeyUsage=serverAuth"));
    }

    /**
     * Makes a key and a client certificate the CA signs for the role {@code role} (its common name): what a member whose
     * {@code pg_hba.conf} says {@code cert} for that role admits it with.
     */
    Issued makeClient(String role) {
        return make(role, List.of("-addext", "extendedKeyUsage=clientAuth"));
    }

    private Issued make(String commonName, List<String> extensions) {
        Path ca = caCertificate();
        try {
            Path work = Files.createTempDirectory("pgfleet-tls-");
            try {
                Path key = work.resolve(KEY);
                Path cert = work.resolve(CERT);
                // One openssl run makes the key and the certificate the CA signs (OpenSSL 3: req -x509 -CA).
                List<String> argv = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + commonName, "-CA", ca.toString(), "-CAkey",
                        directory.resolve("ca.key").toString(), "-set_serial", "0x" + HexFormat.of().formatHex(serial()), "-days", "397",
                        "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "keyUsage=critical,digitalSignature"));
                argv.addAll(extensions);
                ProcessRunner.check(argv, Map.of(), work, TIMEOUT);
                return new Issued(Files.readString(key), Files.readString(cert));
            } finally {
                FileTrees.delete(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Puts the key and certificate into the member's data directory, the PostgreSQL account's, 0600. */
    void install(Path dataDir, Issued issued, OsUser owner) {
        install(dataDir, KEY, CERT, issued, owner);
    }

    /** Puts the key and certificate into {@code directory} under these names, the account's, 0600. */
    void install(Path directory, String keyName, String certificateName, Issued issued, OsUser owner) {
        LocalFiles.write(directory.resolve(keyName), issued.key(), "rw-------");
        LocalFiles.write(directory.resolve(certificateName), issued.certificate(), "rw-------");
        owner.own(directory.resolve(keyName));
        owner.own(directory.resolve(certificateName));
    }

    private static byte[] serial() {
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        serial[0] &= 0x7f;
        return serial;
    }

    private static X509Certificate read(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static Set<String> names(X509Certificate cert) throws CertificateException {
        Set<String> names = new TreeSet<>();
        Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
        if (alternatives != null) {
            alternatives.forEach(name -> names.add(String.valueOf(name.get(1))));
        }
        return names;
    }
}
