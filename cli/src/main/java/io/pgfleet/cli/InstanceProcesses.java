package io.pgfleet.cli;

import io.pgfleet.host.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The PostgreSQL processes of the local stack's instances, found by their postmaster.pid files. */
final class InstanceProcesses {

    private InstanceProcesses() {
    }

    /** Every PostgreSQL instance the provisioner started, by the pid in its postmaster.pid (fast shutdown). */
    static void stop(Path clusters) {
        if (!Files.isDirectory(clusters)) {
            return;
        }
        try (Stream<Path> files = Files.walk(clusters)) {
            List<Long> pids = new ArrayList<>();
            files.filter(f -> f.getFileName().toString().equals("postmaster.pid")).forEach(f -> {
                try {
                    pids.add(Long.parseLong(Files.readAllLines(f).get(0).trim()));
                } catch (IOException | RuntimeException e) {
                    // a file being removed
                }
            });
            for (long pid : pids) {
                if (Processes.isRunning(pid)) {
                    new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
                }
            }
            for (long pid : pids) {
                Processes.awaitExit(pid, Duration.ofSeconds(30));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
