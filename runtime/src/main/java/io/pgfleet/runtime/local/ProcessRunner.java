package io.pgfleet.runtime.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program with an argument vector (never through a shell), collects its output and waits for
 * it with a time limit.
 */
public final class ProcessRunner {

    private ProcessRunner() {
    }

    /** Runs {@code argv}; returns whatever the exit code. */
    public static CommandResult run(List<String> argv, Map<String, String> environment, Path workDir, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().putAll(environment);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CommandFailedException("cannot start " + argv.get(0) + ": " + e.getMessage(), null);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing was written
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(process.getInputStream(), output), "output of " + argv.get(0));
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                reader.join(1000);
                throw new CommandFailedException(argv.get(0) + " did not finish within " + timeout.toSeconds() + "s",
                        new CommandResult(argv, -1, text(output)));
            }
            reader.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException(argv.get(0) + " was interrupted", null);
        }
        return new CommandResult(argv, process.exitValue(), text(output));
    }

    /** Runs {@code argv} and fails with its output unless it exits 0. */
    public static CommandResult check(List<String> argv, Map<String, String> environment, Path workDir, Duration timeout) {
        CommandResult result = run(argv, environment, workDir, timeout);
        if (!result.ok()) {
            throw new CommandFailedException(Path.of(argv.get(0)).getFileName() + " exited with " + result.exitCode() + ": "
                    + result.tail(20), result);
        }
        return result;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // The program was stopped (a timeout, an interrupt) and its output closed under the reader: what was read is kept.
        }
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
