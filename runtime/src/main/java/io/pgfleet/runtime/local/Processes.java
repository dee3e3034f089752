package io.pgfleet.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

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

    /** The processes whose parent is {@code pid}. */
    public static java.util.List<ProcessHandle> children(long pid) {
        return ProcessHandle.allProcesses().filter(p -> p.parent().map(parent -> parent.pid() == pid).orElse(false)).toList();
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
