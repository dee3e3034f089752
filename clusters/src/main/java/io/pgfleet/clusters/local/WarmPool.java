package io.pgfleet.clusters.local;

import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data directories made ahead ({@code pgfleet.local.warm-pool}, per storage class): {@code initdb} run while the driver
 * is idle, so that a new instance's primary is moved into place (a rename on the same file system) instead of waiting for
 * its own {@code initdb}. CloudNativePG has no equivalent: each Cluster's first instance runs its own {@code initdb}
 * job.
 *
 * <p>Each entry is made in {@code <storage class>/.warm-pool/making-<id>} by an account of the pool's own (never an
 * instance's), with a random superuser password kept beside the data by this service (0600, not the pool account's),
 * and becomes {@code ready-<id>} by an atomic rename only once {@code initdb} ended: a half-made entry is never handed
 * out, and one whose maker was killed is removed (with any {@code initdb} still running on it) before the pool is filled
 * again. No server ever starts in the pool: an entry never served and holds no tenant's data. A primary takes an entry
 * only when no member of its instance holds data yet: the instance takes the entry's password as its superuser's (it
 * never served either), the data directory is renamed into place (two takers race for it: the rename decides) and handed
 * to the instance's account.
 */
final class WarmPool {

    private static final Logger LOG = LoggerFactory.getLogger(WarmPool.class);

    /** The pool's directory in a storage class's directory (an instance's namespace never starts with a dot). */
    static final String DIR = ".warm-pool";
    private static final String MAKING = "making-";
    private static final String READY = "ready-";
    /** How long the driver must have had no step under way before the pool is filled. */
    private static final Duration IDLE = Duration.ofSeconds(1);

    private final LocalSettings settings;
    private final Set<String> classes = ConcurrentHashMap.newKeySet();
    private final AtomicInteger steps = new AtomicInteger();
    private final AtomicLong lastStep = new AtomicLong(System.nanoTime());
    private final Set<Path> making = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService filler;

    WarmPool(LocalSettings settings) {
        this.settings = settings;
        classes.add(PostgresSpec.DEFAULT_STORAGE_CLASS);
        classes.addAll(settings.storageClassNames());
    }

    /** Starts filling the pool in the background (once; nothing when the pool is off). */
    synchronized void start() {
        if (settings.warmPool() <= 0 || filler != null) {
            return;
        }
        filler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "warm-pool");
            thread.setDaemon(true);
            return thread;
        });
        filler.scheduleWithFixedDelay(this::fillOnce, 0, 500, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops filling: the {@code initdb} of an entry being made is stopped too (a service told to stop leaves nothing
     * running); the entry itself is left to the next start's clean-up.
     */
    synchronized void stop() {
        List<Path> current = List.copyOf(making);
        if (filler != null) {
            filler.shutdownNow();
            filler = null;
        }
        current.forEach(WarmPool::stopWorkOn);
    }

    /** Stops whatever runs on an entry: its initdb (which names the data directory) and initdb's bootstrap server. */
    private static void stopWorkOn(Path entry) {
        String data = entry.resolve("data").toString();
        Processes.stopAll(ProcessHandle.allProcesses().filter(p -> workingIn(p, entry)
                || Processes.commandLine(p.pid()).stream().anyMatch(a -> a.equals(data) || a.endsWith("=" + data))).toList(), Duration.ofSeconds(10));
    }

    /** A step of the driver begins: the pool waits until none runs. */
    void stepBegins() {
        steps.incrementAndGet();
    }

    void stepEnds() {
        lastStep.set(System.nanoTime());
        steps.decrementAndGet();
    }

    /** The ready entries of a storage class: each with its data directory and its password. */
    List<Path> ready(String storageClass) {
        return entries(dir(storageClass), READY).stream().filter(WarmPool::whole).toList();
    }

    private static boolean whole(Path entry) {
        return Files.isRegularFile(entry.resolve("password"), LinkOption.NOFOLLOW_LINKS)
                && Files.isDirectory(entry.resolve("data"), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Moves a ready entry's data into the primary's place, for an instance none of whose members holds data: the
     * instance's superuser password becomes the entry's. Empty when the pool has none (or is off).
     *
     * @return what was done, for the step's message
     */
    Optional<String> take(String storageClass, LocalInstance instance, LocalMember primary) {
        if (settings.warmPool() <= 0) {
            return Optional.empty();
        }
        classes.add(storageClass);
        for (Path entry : ready(storageClass)) {
            Optional<String> password = LocalFiles.read(entry.resolve("password")).map(String::strip);
            if (password.isEmpty()) {
                continue;   // taken meanwhile
            }
            // The password first: a taker killed after it initialises with that password, a consistent pair.
            LocalFiles.write(instance.passwordFile(), password.get() + "\n", "rw-------");
            try {
                Files.deleteIfExists(primary.dataDir());
                Files.move(entry.resolve("data"), primary.dataDir(), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException raced) {
                continue;   // another primary took it
            } catch (IOException e) {
                throw new UncheckedIOException("cannot move " + entry + " into " + primary.dataDir() + ": " + e.getMessage(), e);
            }
            primary.osUser().own(primary.dataDir());
            LocalFiles.deleteTree(entry);
            return Optional.of("from the warm pool (" + entry.getFileName() + ")");
        }
        return Optional.empty();
    }

    /** Makes one entry where a storage class has fewer than the pool's size, when the driver is idle. */
    void fillOnce() {
        try {
            if (steps.get() > 0 || System.nanoTime() - lastStep.get() < IDLE.toNanos()) {
                return;
            }
            for (String storageClass : classes) {
                if (ready(storageClass).size() < settings.warmPool()) {
                    // Only when an entry is to be made: an idle driver with a full pool looks at nothing more.
                    Path dir = dir(storageClass);
                    removeLeftovers(dir);
                    make(dir);
                    return;   // one at a time: the driver may have become busy meanwhile
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("warm pool: {}", e.getMessage());
        }
    }

    /** Makes one entry: initdb in {@code making-<id>} as the pool's account, then the rename to {@code ready-<id>}. */
    Path make(Path dir) {
        OsUser account = settings.poolAccount();
        account.ensureExists();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            LocalFiles.mkdir(dir, "rwx--x--x");
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path entry = dir.resolve(MAKING + id);
        making.add(entry);
        try {
            LocalFiles.mkdir(entry, "rwx------");
            account.own(entry);
            String password = LocalInstance.randomSecret();
            LocalMember.initdb(settings, account, entry.resolve("data"), password, List.of("nice", "-n", "10"));
            // This service's file, not the pool account's: nothing running as that account reads a password.
            LocalFiles.write(entry.resolve("password"), password + "\n", "rw-------");
            Path ready = dir.resolve(READY + id);
            Files.move(entry, ready, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("warm pool: {} ready", ready);
            return ready;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            making.remove(entry);
        }
    }

    /**
     * Removes what a killed predecessor left: an entry still being made (after stopping any {@code initdb} still running
     * on it) and a ready one without its data or password (taken, its removal cut short).
     */
    void removeLeftovers(Path dir) {
        for (Path entry : entries(dir, MAKING)) {
            if (making.contains(entry)) {
                continue;
            }
            // initdb names the data directory; its own server (postgres --boot, --single) names none: it works in it.
            stopWorkOn(entry);
            LOG.info("warm pool: removing {}, which a stopped predecessor was making", entry);
            LocalFiles.deleteTree(entry);
        }
        for (Path entry : entries(dir, READY)) {
            if (!whole(entry)) {
                LocalFiles.deleteTree(entry);
            }
        }
    }

    private static boolean workingIn(ProcessHandle process, Path entry) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd")).startsWith(entry);
        } catch (IOException | UnsupportedOperationException e) {
            return false;   // ended meanwhile, or not ours to look at
        }
    }

    Path dir(String storageClass) {
        return settings.storageClassRoot(storageClass).resolve(DIR);
    }

    private static List<Path> entries(Path dir, String prefix) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
