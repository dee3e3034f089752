package io.pgfleet.clusters.local;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;
import io.pgfleet.host.LoopbackPorts;
import java.util.Collection;

/**
 * Ports of the members of every instance on this machine. A member's port is recorded when the member is planned and bound
 * only when it starts, a few steps later; a port free at the first moment can meanwhile have been recorded for a member
 * of another instance (instances are made side by side), and the second to start could never run. So a new port is one
 * that is free now and that no member of any instance under the storage roots has recorded, and it is chosen and recorded
 * under a lock: this process's and a file lock on {@code <data root>/ports.lock}, for other processes of the same data root.
 */
final class MemberPorts {

    private static final Object LOCK = new Object();
    private static final TypeReference<Map<Integer, Integer>> PORTS = new TypeReference<>() {
    };

    private MemberPorts() {
    }

    /**
     * Chooses a port no recorded member has and hands it to {@code record}, which writes it down before anyone else chooses
     * and returns the member's port (the one recorded meanwhile, if another thread got there first).
     */
    static int allocate(LocalSettings settings, IntUnaryOperator record) {
        synchronized (LOCK) {
            Path lockFile = settings.dataRoot().resolve("ports.lock");
            try {
                Files.createDirectories(settings.dataRoot());
                try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    return record.applyAsInt(choose(recorded(settings.storageRoots()), LoopbackPorts::free));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The first candidate that is not taken. */
    static int choose(Set<Integer> taken, IntSupplier candidates) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = candidates.getAsInt();
            if (!taken.contains(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port that no member has recorded (" + taken.size() + " recorded)");
    }

    /** Every port recorded in {@code <root>/<namespace>/<name>/members.json} and {@code poolers.json}. */
    static Set<Integer> recorded(Set<Path> roots) {
        Set<Integer> ports = new HashSet<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.find(root, 3, (path, attributes) -> attributes.isRegularFile()
                    && Set.of("members.json", LocalPooler.PORTS_FILE).contains(path.getFileName().toString()))) {
                files.forEach(file -> ports.addAll(file.getFileName().toString().equals("members.json") ? read(file)
                        : LocalPooler.readPorts(file.getParent()).values()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ports;
    }

    private static Collection<Integer> read(Path file) {
        try {
            return Json.mapper().readValue(file.toFile(), PORTS).values();
        } catch (IOException e) {
            // Removed meanwhile, or being written by its own (atomic) write: nothing recorded there to avoid.
            return Set.of();
        }
    }
}
