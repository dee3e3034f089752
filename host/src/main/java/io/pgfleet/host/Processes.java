package io.pgfleet.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** Facts about OS processes by id, as Linux reports them in /proc. */
public final class Processes {

    private Processes() {
    }

    /**
     * Whether the process runs. A zombie (exited, not yet reaped by its parent) does not: where PID 1
     * reaps nothing, a stopped daemon can stay a zombie, and {@link ProcessHandle#isAlive()} counts it.
     */
    public static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The state follows the command name, which is in parentheses and may contain spaces.
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | IndexOutOfBoundsException e) {
            return false;
        }
    }

    /**
     * The processes other than this JVM whose argument vector ({@code argv[0]} first, as {@code /proc/<pid>/cmdline} has
     * it: a program run through {@code runuser} shows the wrapper's) satisfies {@code test}: what a killed predecessor
     * left running is found by the program and the files it names.
     */
    public static List<ProcessHandle> matching(Predicate<List<String>> test) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self && test.test(commandLine(p.pid()))).toList();
    }

    /** A process's argument vector; empty when it ended meanwhile or is not ours to read. */
    public static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            return raw.length == 0 ? List.of() : Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** The program an argument names, without its directory. */
    public static String programName(String argument) {
        return argument.substring(argument.lastIndexOf('/') + 1);
    }

    /** The processes whose parent is {@code pid}. */
    public static List<ProcessHandle> children(long pid) {
        return ProcessHandle.allProcesses().filter(p -> p.parent().map(parent -> parent.pid() == pid).orElse(false)).toList();
    }

    /**
     * Stops these processes as a program asked to stop is given a chance to: SIGTERM to all, then SIGKILL to those still
     * running after {@code grace}.
     */
    public static void stopAll(List<ProcessHandle> processes, Duration grace) {
        processes.forEach(ProcessHandle::destroy);
        for (ProcessHandle process : processes) {
            if (!awaitExit(process.pid(), grace)) {
                process.destroyForcibly();
                awaitExit(process.pid(), Duration.ofSeconds(10));
            }
        }
    }

    /** Waits until the process has exited; returns whether it did within the timeout. */
    public static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        return true;
    }
}
