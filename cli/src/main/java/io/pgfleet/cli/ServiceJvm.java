package io.pgfleet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.io.File;

/**
 * How the local stack runs a service's JVM: small and quick to start (the same settings as the images and the chart; see
 * docs/deploy.md, "JVM settings"). A service runs from its module's jar, so its classes can be kept in a class-data sharing
 * archive: the first run after a build writes one when it stops ({@code -XX:ArchiveClassesAtExit}), every later run maps
 * it ({@code -XX:SharedArchiveFile}) instead of loading and verifying those classes again. The archive is named after the
 * classpath's digest, so a rebuild with other jars makes a new one (and removes the old ones); a JVM that cannot use an
 * archive runs without it.
 */
final class ServiceJvm {

    /**
     * Serial GC (no collector threads; pauses are short on a heap this size), a heap that starts small and gives memory back,
     * C1 only (services wait on I/O: quicker start and less JIT memory than C2's peak speed would buy) on one compiler thread
     * (a second one competed with the start itself for a core: 8 % slower on 2 cores), no performance-data
     * file (its sampler wakes twenty times a second; {@code jcmd} still works, {@code jstat} does not), and the C library's
     * heap trimmed every 5 s (what the JVM and its libraries freed goes back to the system: 7 MB of the provisioner's and the
     * user-manager's resident memory after 30 provisions).
     */
    static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-Xms24m", "-Xmx256m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
            "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=64m", "-Xss512k", "-XX:-UsePerfData",
            "-XX:TrimNativeHeapInterval=5000");

    private ServiceJvm() {
    }

    /** The java command line before the main class: flags, archive, classpath. */
    static List<String> command(Path moduleTarget, String service) {
        String classpath = jar(moduleTarget) + File.pathSeparator + read(moduleTarget.resolve("classpath.txt")).strip();
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        argv.addAll(FLAGS);
        Path archive = moduleTarget.resolve("cds").resolve(service + "-" + digest(classpath) + ".jsa");
        if (Files.isRegularFile(archive)) {
            argv.add("-XX:SharedArchiveFile=" + archive);
        } else {
            try {
                Files.createDirectories(archive.getParent());
                // The archives of earlier builds (some 80 MB each) are of no use once the classpath changed.
                try (Stream<Path> old = Files.list(archive.getParent())) {
                    for (Path file : old.filter(f -> f.getFileName().toString().startsWith(service + "-")
                            && f.getFileName().toString().endsWith(".jsa")).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            argv.add("-XX:ArchiveClassesAtExit=" + archive);
        }
        argv.addAll(List.of("-cp", classpath));
        return argv;
    }

    /** The module's own jar (mvn package). */
    private static Path jar(Path moduleTarget) {
        try (Stream<Path> files = Files.list(moduleTarget)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar") && !f.getFileName().toString().endsWith("-tests.jar")
                    && !f.getFileName().toString().endsWith("-sources.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no jar in " + moduleTarget + ": run mvn package -DskipTests"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String digest(String classpath) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String entry : classpath.split(File.pathSeparator)) {
                Path path = Path.of(entry);
                sha.update((entry + ":" + (Files.exists(path) ? Files.getLastModifiedTime(path).toMillis() + ":" + Files.size(path) : "-") + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
