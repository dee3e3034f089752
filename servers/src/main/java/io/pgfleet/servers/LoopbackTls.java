package io.pgfleet.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.nio.file.StandardCopyOption;

/**
 * TLS material for a server on loopback, made once in {@code directory} with the JDK's keytool: a PKCS#12 keystore with a
 * self-signed certificate (SAN 127.0.0.1, localhost), the certificate as PEM (for clients such as libpq or pgBackRest)
 * and a PKCS#12 truststore holding it (for Java clients). The Kafka broker and the S3 server use it.
 */
public record LoopbackTls(Path directory, String password) {

    public Path keystore() {
        return directory.resolve("server.p12");
    }

    public Path truststore() {
        return directory.resolve("truststore.p12");
    }

    /** The certificate in PEM, which clients verify the server with. */
    public Path certificate() {
        return directory.resolve("server.crt");
    }

    /** The material in {@code directory}, made there the first time. */
    public static LoopbackTls in(Path directory, String password) {
        LoopbackTls tls = new LoopbackTls(directory, password);
        tls.make();
        return tls;
    }

    private void make() {
        if (Files.exists(truststore()) && Files.exists(keystore()) && Files.exists(certificate())) {
            return;
        }
        try {
            Files.createDirectories(directory);
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Files.deleteIfExists(keystore());
            run(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                    "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "825", "-storetype", "PKCS12", "-keystore", keystore().toString(),
                    "-storepass", password, "-keypass", password));
            run(List.of(keytool, "-exportcert", "-rfc", "-alias", "server", "-file", certificate().toString(), "-keystore", keystore().toString(),
                    "-storepass", password));
            Path partial = directory.resolve("truststore.p12.new");
            Files.deleteIfExists(partial);
            run(List.of(keytool, "-importcert", "-noprompt", "-alias", "server", "-file", certificate().toString(), "-storetype", "PKCS12",
                    "-keystore", partial.toString(), "-storepass", password));
            Files.move(partial, truststore(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(List<String> argv) throws IOException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making TLS material", e);
        }
    }
}
