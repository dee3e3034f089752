package io.pgfleet.host;

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
        BoundedOutput output = new BoundedOutput(MAX_HEAD, MAX_TAIL);
        Thread reader = new Thread(() -> copy(process.getInputStream(), output), "output of " + argv.get(0));
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                reader.join(1000);
                CommandResult partial = new CommandResult(argv, -1, text(output));
                throw new CommandFailedException(argv.get(0) + " did not finish within " + timeout.toSeconds() + "s; it printed: "
                        + partial.tail(20), partial);
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

    private static void copy(InputStream in, BoundedOutput out) {
        try (in) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, n);
            }
        } catch (IOException e) {
            // The program was stopped (a timeout, an interrupt) and its output closed under the reader: what was read is kept.
        }
    }

    private static String text(BoundedOutput out) {
        return out.text();
    }

    /** The most of a program's output kept from its start, and from its end (what failures quote). */
    static final int MAX_HEAD = 8 << 20;
    static final int MAX_TAIL = 256 << 10;

    /**
     * A program's output with a bound: what a tenant can make a program print (notices of its functions during a restore,
     * say) never fills this JVM's memory. The first {@code head} bytes are kept, then only the last {@code tail}, with a
     * line saying how much was left out between.
     */
    static final class BoundedOutput {

        private final int head;
        private final int tail;
        private final ByteArrayOutputStream first = new ByteArrayOutputStream();
        private final byte[] last;
        private int lastStart;
        private int lastLength;
        private long skipped;

        BoundedOutput(int head, int tail) {
            this.head = head;
            this.tail = tail;
            this.last = new byte[tail];
        }

        synchronized void write(byte[] bytes, int length) {
            int toHead = Math.min(length, head - first.size());
            if (toHead > 0) {
                first.write(bytes, 0, toHead);
            }
            for (int i = Math.max(toHead, 0); i < length; i++) {
                if (lastLength == tail) {
                    lastStart = (lastStart + 1) % tail;
                    lastLength--;
                    skipped++;
                }
                last[(lastStart + lastLength) % tail] = bytes[i];
                lastLength++;
            }
        }

        synchronized String text() {
            StringBuilder text = new StringBuilder(first.toString(StandardCharsets.UTF_8));
            if (lastLength > 0) {
                if (skipped > 0) {
                    text.append("\n[… ").append(skipped).append(" bytes of output left out …]\n");
                }
                byte[] end = new byte[lastLength];
                for (int i = 0; i < lastLength; i++) {
                    end[i] = last[(lastStart + i) % tail];
                }
                text.append(new String(end, StandardCharsets.UTF_8));
            }
            return text.toString();
        }
    }
}
