package io.pgfleet.clusters.local;

import io.pgfleet.host.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Optional;

/**
 * Programs that make a member's data ({@code initdb}, {@code pg_basebackup}, {@code pg_rewind}) which a killed
 * predecessor started and which still run: a SIGKILL ends the service's JVM, not the programs it started. One still
 * writing while a retried step empties the directory and makes the data again races it (an {@code initdb} that then
 * fails removes the data directory it created, which by then holds the new primary's data). A step of an instance
 * runs alone (one job of an instance at a time, under a lease; while a point-in-time restore is under way the provisioner
 * only waits), so such a program on one of its data directories that this process did not start is a predecessor's: it
 * is stopped before anything else is done on the member. Not {@code pgbackrest}: the server itself runs it on its data
 * directory ({@code archive-get} in {@code restore_command}) while it replays WAL.
 */
final class Leftovers {

    /** What makes or rewrites a member's data directory. */
    static final Set<String> DATA_PROGRAMS = Set.of("initdb", "pg_basebackup", "pg_rewind");

    /** A program still running on a member's data directory. */
    record Leftover(long pid, String program) {
        @Override
        public String toString() {
            return program + " (pid " + pid + ")";
        }
    }

    private Leftovers() {
    }

    /** The data programs running on each of {@code dataDirs} that this process did not start (nor its children), by directory. */
    static Map<Path, List<Leftover>> on(Collection<Path> dataDirs) {
        Set<Long> own = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        Map<Path, List<Leftover>> found = new LinkedHashMap<>();
        ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid() && !own.contains(p.pid())).forEach(p -> {
            List<String> argv = Processes.commandLine(p.pid());
            for (Path dataDir : dataDirs) {
                program(argv, dataDir.toAbsolutePath().normalize().toString())
                        .ifPresent(program -> found.computeIfAbsent(dataDir, d -> new ArrayList<>()).add(new Leftover(p.pid(), program)));
            }
        });
        return found;
    }

    /** The data program {@code argv} runs on {@code dir} (named by an argument, or {@code --option=dir}), if it is one. */
    static Optional<String> program(List<String> argv, String dir) {
        boolean onDir = argv.stream().anyMatch(arg -> arg.equals(dir) || arg.endsWith("=" + dir));
        if (!onDir) {
            return Optional.empty();
        }
        // The program itself, or the one a wrapper (runuser -u account -- program ...) runs.
        return argv.stream().map(Processes::programName).filter(DATA_PROGRAMS::contains).findFirst();
    }

    /** Stops them (SIGKILL: what they wrote is never used, the member's data is made again) and waits for them to end. */
    static boolean stop(List<Leftover> leftovers, Duration timeout) {
        leftovers.forEach(l -> ProcessHandle.of(l.pid()).ifPresent(ProcessHandle::destroyForcibly));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Leftover leftover : leftovers) {
            if (!Processes.awaitExit(leftover.pid(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }
}
