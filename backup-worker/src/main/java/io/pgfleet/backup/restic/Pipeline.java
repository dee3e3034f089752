package io.pgfleet.backup.restic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Programs joined by pipes, as {@code a | b} would in a shell but with argument vectors and no shell:
 * each program's exit code is known (a dump that fails is seen even when the program reading it
 * succeeds). The data flows through operating-system pipes, not through this process.
 */
public final class Pipeline {

    /** The most of a program's stdout that is kept: manifests, globals and listings are far smaller. */
    public static final int MAX_OUTPUT = 32 << 20;

    /** The exit code of a program killed by SIGPIPE (128 + 13): it wrote to a pipe nobody read any more. */
    private static final int SIGPIPE = 141;

    /** One program: its arguments and the environment it adds. */
    public record Stage(List<String> argv, Map<String, String> environment) {

        public Stage {
            argv = List.copyOf(argv);
            environment = Map.copyOf(environment);
        }

        /** The program's name, for messages. */
        public String name() {
            return Path.of(argv.get(0)).getFileName().toString();
        }
    }

    /**
     * What the programs did.
     *
     * @param exitCodes one per stage, in order ({@code -1}: killed at the time limit)
     * @param errors    the last lines each stage wrote to stderr
     * @param output    what the last stage wrote to stdout, its first {@link #MAX_OUTPUT} bytes
     * @param dropped   how many bytes of stdout beyond those were read and thrown away
     */
    public record Result(List<Stage> stages, List<Integer> exitCodes, List<String> errors, String output, long dropped) {

        /**
         * Every stage exited with 0, or was cut off by SIGPIPE after every later one had read what it wanted and exited
         * with 0 (as {@code restic dump | pg_restore -l}: the listing needs only the start of the dump); and the whole
         * output was kept.
         */
        public boolean ok() {
            for (int i = 0; i < exitCodes.size(); i++) {
                if (exitCodes.get(i) != 0 && !(exitCodes.get(i) == SIGPIPE && laterSucceeded(i))) {
                    return false;
                }
            }
            return dropped == 0;
        }

        private boolean laterSucceeded(int stage) {
            return stage < exitCodes.size() - 1 && exitCodes.subList(stage + 1, exitCodes.size()).stream().allMatch(code -> code == 0);
        }

        /**
         * The first stage that failed, as "name exited with N: its message", or {@code null}. A stage
         * killed by SIGPIPE (exit 141) because a later one failed and stopped reading is not the cause:
         * the later one is named.
         */
        public String failure() {
            for (int i = 0; i < stages.size(); i++) {
                boolean laterFailed = exitCodes.subList(i + 1, exitCodes.size()).stream().anyMatch(code -> code != 0);
                if (exitCodes.get(i) != 0 && !(exitCodes.get(i) == SIGPIPE && (laterFailed || laterSucceeded(i)))) {
                    String code = exitCodes.get(i) == -1 ? "was stopped at the time limit" : "exited with " + exitCodes.get(i);
                    return stages.get(i).name() + " " + code + (errors.get(i).isBlank() ? "" : ": " + errors.get(i).strip());
                }
            }
            if (dropped > 0) {
                return stages.get(stages.size() - 1).name() + " wrote " + (MAX_OUTPUT + dropped) + " bytes, more than the "
                        + MAX_OUTPUT + " read from it (a manifest or a listing that large is not pgfleet's)";
            }
            return null;
        }
    }

    private Pipeline() {
    }

    /**
     * Runs the stages joined by pipes.
     *
     * @param input written to the first stage's stdin (then closed); {@code null} for none
     */
    public static Result run(List<Stage> stages, byte[] input, Duration timeout) {
        return start(stages, timeout).finish(input);
    }

    /**
     * Starts the stages joined by pipes; the first one's stdin stays open until {@link Running#finish}
     * gives it its input. A program that reads its input last (restic opens and loads the repository
     * first) is then ready when the input is known.
     *
     * @param timeout how long the programs may run once they have their input
     */
    public static Running start(List<Stage> stages, Duration timeout) {
        List<ProcessBuilder> builders = new ArrayList<>();
        List<Path> stderrFiles = new ArrayList<>();
        try {
            for (Stage stage : stages) {
                ProcessBuilder builder = new ProcessBuilder(stage.argv());
                builder.environment().putAll(stage.environment());
                Path stderr = Files.createTempFile("pgfleet-stderr-", ".txt");
                stderrFiles.add(stderr);
                builder.redirectError(stderr.toFile());
                builders.add(builder);
            }
            List<Process> processes = ProcessBuilder.startPipeline(builders);
            return new Running(stages, processes, stderrFiles, timeout);
        } catch (IOException e) {
            deleteAll(stderrFiles);
            throw new UncheckedIOException("cannot start " + String.join(" | ", stages.stream().map(Stage::name).toList())
                    + ": " + e.getMessage(), e);
        }
    }

    /** Programs started by {@link #start}: end them with {@link #finish} or {@link #interrupt}. */
    public static final class Running {

        private final List<Stage> stages;
        private final List<Process> processes;
        private final List<Path> stderrFiles;
        private final Duration timeout;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private final AtomicLong dropped = new AtomicLong();
        private final Thread reader;

        private Running(List<Stage> stages, List<Process> processes, List<Path> stderrFiles, Duration timeout) {
            this.stages = stages;
            this.processes = processes;
            this.stderrFiles = stderrFiles;
            this.timeout = timeout;
            Process last = processes.get(processes.size() - 1);
            this.reader = new Thread(() -> copy(last.getInputStream(), output, dropped), "stdout of " + stages.get(stages.size() - 1).name());
            reader.setDaemon(true);
            reader.start();
        }

        /**
         * Writes {@code input} to the first program's stdin (then closes it) and waits for every
         * program to end, at most the time limit.
         */
        public Result finish(byte[] input) {
            Thread writer = new Thread(() -> write(processes.get(0).getOutputStream(), input), "stdin of " + stages.get(0).name());
            writer.setDaemon(true);
            writer.start();
            try {
                long deadline = System.nanoTime() + timeout.toNanos();
                List<Integer> codes = new ArrayList<>();
                boolean timedOut = false;
                for (Process process : processes) {
                    long left = deadline - System.nanoTime();
                    if (timedOut || !process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                        timedOut = true;
                        process.descendants().forEach(ProcessHandle::destroyForcibly);
                        process.destroyForcibly();
                        process.waitFor(10, TimeUnit.SECONDS);
                        codes.add(-1);
                    } else {
                        codes.add(process.exitValue());
                    }
                }
                reader.join(10_000);
                writer.join(1_000);
                List<String> errors = new ArrayList<>();
                for (Path file : stderrFiles) {
                    errors.add(tail(Files.readString(file, StandardCharsets.UTF_8), 8));
                }
                return new Result(stages, codes, errors, output.toString(StandardCharsets.UTF_8), dropped.get());
            } catch (InterruptedException e) {
                interrupt();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + stages.get(0).name(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                deleteAll(stderrFiles);
            }
        }

        /**
         * Stops the programs before they have their input: SIGINT, as Ctrl-C would (restic then
         * writes nothing and removes its lock, unless the signal comes in the instant after it made
         * the lock), and a forced stop for any still running 10s later.
         */
        public void interrupt() {
            for (Process process : processes) {
                if (process.isAlive()) {
                    try {
                        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
                    } catch (IOException e) {
                        process.destroy(); // no kill program: restic leaves a stale lock, removed by the next unlock
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            for (Process process : processes) {
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
                try {
                    process.getOutputStream().close();
                } catch (IOException ignored) {
                    // it has gone
                }
            }
            deleteAll(stderrFiles);
        }
    }

    private static void deleteAll(List<Path> files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left behind
            }
        }
    }

    private static void write(OutputStream stdin, byte[] input) {
        try (stdin) {
            if (input != null) {
                stdin.write(input);
            }
        } catch (IOException e) {
            // the program stopped reading; its exit code tells why
        }
    }

    /**
     * Keeps the first {@link #MAX_OUTPUT} bytes and reads the rest away (so the program is not blocked), counting them: what
     * a repository holds is the tenant's to write (it has the restic password), and is never read whole into memory.
     */
    private static void copy(InputStream in, ByteArrayOutputStream out, AtomicLong dropped) {
        byte[] buffer = new byte[64 * 1024];
        try (in) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                int kept = (int) Math.max(0, Math.min(read, MAX_OUTPUT - out.size()));
                out.write(buffer, 0, kept);
                dropped.addAndGet(read - kept);
            }
        } catch (IOException e) {
            // the program went away; its exit code tells why
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.strip().split("\n");
        return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }
}
