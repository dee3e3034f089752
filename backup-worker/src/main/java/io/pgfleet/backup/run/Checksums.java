package io.pgfleet.backup.run;

import io.pgfleet.backup.restic.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.pgfleet.host.Processes;
import java.io.OutputStream;
import java.util.Set;

/** SHA-256 checksums of what a backup saves and a restore reads. */
final class Checksums {

    private static final Pattern SUM = Pattern.compile("^([0-9a-f]{64})\\s");
    /**
     * The program that hashes a stream: {@code openssl dgst -sha256 -r}, which uses the CPU's SHA instructions (about
     * 1.8 GB/s here, where coreutils' {@code sha256sum} does 0.35 GB/s), printing the checksum as {@code sha256sum} does.
     */
    private static final List<String> DIGEST = List.of("openssl", "dgst", "-sha256", "-r");
    /** The digest reading its stdin: the last stage of a pipeline that only checks a stream. */
    static final Pipeline.Stage SHA256SUM = new Pipeline.Stage(DIGEST, Map.of());

    private Checksums() {
    }

    static String of(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
    }

    static String of(byte[] content) {
        return HexFormat.of().formatHex(digest().digest(content));
    }

    /** The checksum the digest printed. */
    static String parse(String output) {
        Matcher sum = SUM.matcher(output == null ? "" : output);
        if (!sum.find()) {
            throw new IllegalStateException("the digest printed no checksum");
        }
        return sum.group(1);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The SHA-256 of a stream as it passes from one program to the next, without holding it: {@link #tee()} copies it
     * into a named pipe that the digest reads.
     */
    static final class OfStream implements AutoCloseable {

        private final Path fifo;
        private final Process sum;

        private OfStream(Path fifo, Process sum) {
            this.fifo = fifo;
            this.sum = sum;
        }

        /** Stops the digest and {@code tee} processes a killed attempt left on the named pipes of {@code directory}. */
        static void stopLeftovers(Path directory) {
            String prefix = directory.toAbsolutePath() + "/";
            Processes.matching(argv -> !argv.isEmpty()
                            && Set.of("openssl", "tee").contains(Processes.programName(argv.get(0)))
                            && argv.stream().skip(1).anyMatch(a -> a.startsWith(prefix)))
                    .forEach(ProcessHandle::destroyForcibly);
        }

        static OfStream open(Path directory, String name) throws IOException {
            Path fifo = directory.resolve(name + ".sha256");
            Files.deleteIfExists(fifo);
            Pipeline.Result made = Pipeline.run(List.of(new Pipeline.Stage(List.of("mkfifo", "-m", "600", fifo.toString()), Map.of())), null,
                    Duration.ofSeconds(30));
            if (!made.ok()) {
                throw new IOException("cannot make a named pipe for a checksum: " + made.failure());
            }
            List<String> argv = new ArrayList<>(DIGEST);
            argv.add(fifo.toString());
            return new OfStream(fifo, new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }

        /** The stage between the producer and its reader that feeds the checksum. */
        Pipeline.Stage tee() {
            return new Pipeline.Stage(List.of("tee", fifo.toString()), Map.of());
        }

        /** The checksum of what went through, once the stream ended. */
        String finish() {
            try {
                String output = new String(sum.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (!sum.waitFor(30, TimeUnit.SECONDS) || sum.exitValue() != 0) {
                    throw new IllegalStateException("the digest of " + fifo.getFileName() + " did not end well");
                }
                return parse(output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a checksum", e);
            }
        }

        @Override
        public void close() {
            sum.destroyForcibly();
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                // removed with the work directory
            }
        }
    }
}
