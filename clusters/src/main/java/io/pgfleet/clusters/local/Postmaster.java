package io.pgfleet.clusters.local;

import io.pgfleet.host.CommandResult;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.host.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.Optional;
import java.util.OptionalLong;

/** A member's postmaster as the operating system shows it: its pid, what a crash leaves, what it said when it failed. */
final class Postmaster {

    private Postmaster() {
    }

    /**
     * Starts a server on {@code dataDir} as {@code account}; returns PostgreSQL's complaint when it does not come up.
     * pg_ctl's own wait ({@code -w}) looks ten times a second; a start takes 150-350 ms here, so the server is watched
     * more closely: pg_ctl only forks the postmaster ({@code -W}), then its process and postmaster.pid tell.
     */
    static Optional<String> start(LocalSettings settings, OsUser account, Path dataDir, Path logFile) {
        CommandResult result = ProcessRunner.run(account.command(List.of(settings.binaries().tool("pg_ctl"), "-D",
                dataDir.toString(), "-l", logFile.toString(), "-W", "start")), Map.of(), Path.of("/"), settings.startTimeout());
        if (result.ok() && awaitStarted(dataDir, settings.startTimeout())) {
            return Optional.empty();
        }
        String log = LocalFiles.read(logFile).orElse(result.output());
        return Optional.of(complaint(log.isBlank() ? result.output() : log));
    }

    /**
     * Waits, as {@code pg_ctl -w} would, until the postmaster pg_ctl forked says {@code ready} (or {@code standby}) in
     * postmaster.pid; false when it exits first or the timeout passes.
     */
    private static boolean awaitStarted(Path dataDir, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        OptionalLong forked = starting(dataDir);
        if (forked.isEmpty()) {
            return pid(dataDir).isPresent();   // ended already (a failed start), or never seen: the pid file tells
        }
        long pid = forked.getAsLong();
        while (System.nanoTime() < deadline && Processes.isRunning(pid)) {
            Optional<String> status = status(dataDir, pid);
            if (status.isPresent() && (status.get().equals("ready") || status.get().equals("standby"))) {
                return pid(dataDir).isPresent();
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        return false;
    }

    /**
     * SIGKILL of the postmaster and of every process under it — backends, walsenders, a frozen one too (SIGKILL ends a
     * stopped process) — children first, as they are when the postmaster is gone. Its data is left as a crash leaves it.
     */
    static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(postmaster -> {
            List<ProcessHandle> under = postmaster.descendants().toList();
            under.forEach(ProcessHandle::destroyForcibly);
            postmaster.destroyForcibly();
            under.forEach(process -> Processes.awaitExit(process.pid(), Duration.ofSeconds(10)));
        });
        Processes.awaitExit(pid, Duration.ofSeconds(10));
    }

    /** The postmaster's pid when it runs (from postmaster.pid, checked against /proc). */
    static OptionalLong pid(Path dataDir) {
        Optional<String> pidFile = LocalFiles.read(dataDir.resolve("postmaster.pid"));
        if (pidFile.isEmpty() || pidFile.get().isBlank()) {
            return OptionalLong.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(pidFile.get().lines().findFirst().orElse("").trim());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
        if (!Processes.isRunning(pid)) {
            return OptionalLong.empty();
        }
        // A pid from a stale file may belong to another process by now (pids wrap), even another PostgreSQL's backend: the
        // postmaster is the process started on this data directory (postgres -D <dataDir>).
        String cmdline = LocalFiles.read(Path.of("/proc/" + pid + "/cmdline")).orElse("");
        return cmdline.contains("postgres") && cmdline.contains(dataDir.toString()) ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /**
     * After the postmaster died (killed, or crashed), its backends exit on their own once they notice;
     * until then they hold its shared memory. Where nothing reaps the dead postmaster it stays a zombie
     * that PostgreSQL's own lock check takes for a running server, so the stale postmaster.pid goes.
     */
    static void clearAfterCrash(Path dataDir, Path socketDir, int port) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        Optional<String> text = LocalFiles.read(pidFile);
        if (text.isEmpty() || pid(dataDir).isPresent()) {
            return;
        }
        long dead;
        try {
            dead = Long.parseLong(text.get().lines().findFirst().orElse("").trim());
        } catch (NumberFormatException e) {
            Files.deleteIfExists(pidFile);
            return;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<ProcessHandle> orphans = Processes.children(dead);
        while (!orphans.isEmpty() && System.nanoTime() < deadline) {
            orphans.forEach(o -> Processes.awaitExit(o.pid(), Duration.ofMillis(200)));
            orphans = Processes.children(dead);
        }
        orphans.forEach(ProcessHandle::destroyForcibly);
        Files.deleteIfExists(pidFile);
        // The Unix socket's lock file (in the socket directory: the member's own, or a short one under /tmp) names the same dead pid.
        Files.deleteIfExists(socketDir.resolve(".s.PGSQL." + port + ".lock"));
        Files.deleteIfExists(socketDir.resolve(".s.PGSQL." + port));
    }

    /**
     * The Unix socket's lock file names the postmaster that made it, and stays when that postmaster is killed. A member
     * started again on data without a postmaster.pid (copied again, restored) finds only that one; pids wrap (32768
     * here, threads included), and once the dead postmaster's pid belongs to another process of the PostgreSQL account
     * (another member's backend), PostgreSQL refuses to start ("lock file ... already exists"), at every attempt. Unless
     * the pid is a running postmaster of this very data directory, the lock goes, with the socket.
     */
    static void clearStaleSocket(Path dataDir, Path socketDir, int port) throws IOException {
        Path lock = socketDir.resolve(".s.PGSQL." + port + ".lock");
        Optional<String> text = LocalFiles.read(lock);
        if (text.isEmpty()) {
            return;
        }
        long owner;
        try {
            owner = Long.parseLong(text.get().lines().findFirst().orElse("").trim());
        } catch (NumberFormatException e) {
            owner = -1;
        }
        String cmdline = owner > 0 ? LocalFiles.read(Path.of("/proc/" + owner + "/cmdline")).orElse("") : "";
        if (owner > 0 && Processes.isRunning(owner) && cmdline.contains(dataDir.toString())) {
            return;   // this member's own postmaster runs: not ours to clear
        }
        Files.deleteIfExists(lock);
        Files.deleteIfExists(socketDir.resolve(".s.PGSQL." + port));
    }

    /**
     * The process {@code pg_ctl start -W} left starting on this data directory: the shell it forked execs the postmaster in
     * the same pid, so the one process whose command line names the data directory after {@code -D} (a backend's title
     * does not) is the postmaster, or the shell about to become it.
     */
    static OptionalLong starting(Path dataDir) {
        String dir = dataDir.toString();
        return ProcessHandle.allProcesses().filter(p -> {
            List<String> argv = Processes.commandLine(p.pid());
            String program = argv.isEmpty() ? "" : Processes.programName(argv.get(0));
            return (program.equals("postgres") || program.equals("sh")) && String.join(" ", argv).contains(dir)
                    && argv.stream().anyMatch(a -> a.equals("-D") || a.contains("-D \"" + dir + "\"") || a.contains("-D '" + dir + "'"));
        }).mapToLong(ProcessHandle::pid).findFirst();
    }

    /**
     * What the postmaster says of itself in postmaster.pid (its eighth line: {@code starting}, {@code ready}, {@code standby},
     * {@code stopping}) when the file names {@code pid}; empty before it wrote the file.
     */
    static Optional<String> status(Path dataDir, long pid) {
        List<String> lines = LocalFiles.read(dataDir.resolve("postmaster.pid")).map(text -> text.lines().toList()).orElse(List.of());
        if (lines.size() < 8 || !lines.get(0).strip().equals(Long.toString(pid))) {
            return Optional.empty();
        }
        return Optional.of(lines.get(7).strip());
    }

    /** The lines of PostgreSQL's output that say what is wrong (FATAL, ERROR, LOG about parameters). */
    static String complaint(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            String text = line.replaceFirst("^\\S+ \\S+ \\S+ \\[\\d+\\] ", "").strip();
            if (text.startsWith("FATAL:") || text.startsWith("ERROR:") || text.startsWith("PANIC:")
                    || (text.startsWith("LOG:") && (text.contains("parameter") || text.contains("configuration")))) {
                lines.add(text.replaceAll("\\s+", " "));
            }
        }
        if (lines.isEmpty()) {
            String[] all = output.strip().split("\n");
            return all[all.length - 1].strip();
        }
        return String.join("; ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
    }
}
