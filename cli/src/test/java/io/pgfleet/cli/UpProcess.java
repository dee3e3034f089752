package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code pgfleet} script as a user runs it: {@code pgfleet up} in a session of its own on a data directory and
 * a block of free ports, and other {@code pgfleet} commands pointed at it. What the ITs of the command share.
 */
final class UpProcess implements AutoCloseable {

    static final Duration SLOW = Duration.ofMinutes(5);

    /** What a {@code pgfleet} command printed and how it exited. */
    record Result(int code, String output) {
    }

    final Path home = Path.of(System.getProperty("pgfleet.home")).toAbsolutePath().normalize();
    final Path dataDir;
    final int basePort;
    private final List<String> upOptions;
    private final Map<String, String> environment;
    Process up;
    Path upLog;

    /**
     * @param upOptions   options of {@code up} besides the data directory and the ports (e.g. {@code --secure})
     * @param environment what every other command gets besides the stack's addresses (e.g. {@code PGFLEET_KAFKA_CONFIG})
     */
    UpProcess(String prefix, List<String> upOptions, Map<String, String> environment) throws IOException {
        this.dataDir = Files.createTempDirectory(prefix);
        this.basePort = io.pgfleet.host.LoopbackPorts.freeBlock(8);
        this.upOptions = upOptions;
        this.environment = environment;
    }

    /** Starts {@code pgfleet up} and waits until it says it is up. */
    Process start() throws IOException {
        upLog = Files.createTempFile(dataDir, "up-", ".log");
        // SIGINT as a terminal's foreground job has it: a shell that ran these tests in the background left it ignored,
        // and an ignored SIGINT stays ignored across exec (perl, essential on Debian, sets it back to the default).
        List<String> argv = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", "setsid",
                home.resolve("pgfleet").toString(), "up"));
        argv.addAll(upOptions);
        argv.addAll(List.of("--data-dir", dataDir.toString(), "--base-port", Integer.toString(basePort)));
        // In a session of its own, like a terminal's foreground job: Ctrl-C reaches the whole group.
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(upLog.toFile());
        builder.environment().put("PGFLEET_NO_BUILD", "1");
        Process process = builder.start();
        await().atMost(SLOW).until(() -> Files.readString(upLog).contains("pgfleet is up") || !process.isAlive());
        assertThat(process.isAlive()).as(Files.readString(upLog)).isTrue();
        up = process;
        return process;
    }

    /** SIGTERM, as a service manager would. */
    void stop() throws Exception {
        up.destroy();
        assertThat(up.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(Files.readString(upLog)).contains("stopped");
    }

    /** Runs {@code pgfleet <args>} against the stack and waits for it. */
    Result pgfleet(String... args) throws Exception {
        return run(home.resolve("pgfleet"), args);
    }

    /** Runs this {@code pgfleet} launcher (the checkout's, or an installed one) against the stack and waits for it. */
    Result run(Path launcher, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(launcher.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("PGFLEET_NO_BUILD", "1");
        env.put("PGFLEET_BOOTSTRAP_SERVERS", "127.0.0.1:" + basePort);
        env.put("PGFLEET_PROVISIONER_URL", "http://127.0.0.1:" + (basePort + 4));
        env.put("PGFLEET_USER_MANAGER_URL", "http://127.0.0.1:" + (basePort + 5));
        env.put("PGFLEET_BACKUP_WORKER_URL", "http://127.0.0.1:" + (basePort + 6));
        env.put("PGFLEET_DATA_DIR", dataDir.toString());
        env.putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** Stops {@code up} if it runs, then any instance left, and removes the data directory. */
    @Override
    public void close() throws Exception {
        if (up != null && up.isAlive()) {
            stop();
        }
        InstanceProcesses.stop(dataDir.resolve("clusters"));
        // The services' logs and up's own output stay in target/stack-logs, for a failure to be read.
        Path kept = Path.of("target", "stack-logs", dataDir.getFileName().toString());
        Files.createDirectories(kept);
        try (var logs = Files.list(dataDir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("up-")).toList()) {
                Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (Files.isDirectory(dataDir.resolve("logs"))) {
            try (var logs = Files.list(dataDir.resolve("logs"))) {
                for (Path log : logs.toList()) {
                    Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (var files = Files.walk(dataDir)) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** A view of a service of this stack ({@code base + path}), asked with the stack's platform token; {@code null} when not there. */
    static com.fasterxml.jackson.databind.JsonNode view(Path dataDir, String base, String path) throws IOException {
        return ServiceUrls.get(base, path, Files.readString(dataDir.resolve(LocalSecrets.HTTP_TOKEN)).strip());
    }
}
