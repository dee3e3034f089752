package io.pgfleet.cli;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.DeleteCommand;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Metadata;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.host.LoopbackPorts;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.testkit.Medians;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark (bench/fleet.sh, not a test): the local stack (three services as processes of their own) provisions N copies of
 * the reference's development example at once, against N raw {@code initdb} + {@code pg_ctl start -w} run at once in the
 * same run (the time until every provisioner's SUCCEEDED, and until every user-manager's: their users and databases are there
 * too; the CPU the services used meanwhile); then the N instances sit idle for a while and the services' CPU and resident
 * memory are read from /proc. Each
 * service's start-to-ready time (process start to its health endpoint answering) is measured by stopping it and starting it
 * again with no instance (with the class-data archive its first run wrote when it stopped). Prints one table; the numbers go to the README.
 */
public final class FleetBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String arg : args.length > 0 ? args[0].split(",") : new String[] {"1", "10", "30"}) {
            sizes.add(Integer.parseInt(arg.strip()));
        }
        Duration idle = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 60);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path home = Path.of(System.getProperty("pgfleet.home")).toAbsolutePath().normalize();
        Postgres dev = PayloadReader.fromText(Files.readString(home.resolve("examples/postgres-dev.yaml")), Postgres.class).value();
        List<String> lines = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        List<String> busiest = new ArrayList<>();
        try (StackFixture fixture = new StackFixture("pgfleet-fleet-bench-")) {
            LocalStack stack = fixture.stack;
            lines.add(String.format("%-14s %10s %12s", "service", "ready (ms)", "RSS (MB)"));
            for (String service : stack.serviceNames()) {
                // Stopped as `down` stops it, so its class-data sharing archive is written, then started again with it.
                fixture.faults.stop(service);
                long start = System.nanoTime();
                fixture.faults.restart(service, Duration.ofMinutes(2));
                lines.add(String.format("%-14s %10d %12.0f", service, (System.nanoTime() - start) / 1_000_000, rssMb(fixture.faults.pid(service))));
            }
            lines.add("");
            lines.add(String.format("%4s %24s %24s %7s %24s %24s %7s %14s %26s", "N", "pgfleet (ms) (range)", "raw (ms) (range)", "ratio",
                    "users there (ms) (range)", "same by hand (ms) (range)", "ratio", "idle CPU (%)", "RSS after (MB) p / u / b"));
            for (int n : sizes) {
                // Alternating rounds, pgfleet then raw, each round's instances new ones; the last round's stay up for the idle reading.
                List<Long> ready = new ArrayList<>();
                List<Long> applied = new ArrayList<>();
                List<Long> raw = new ArrayList<>();
                List<Long> byHand = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    Map<String, Long> cpuBefore = cpuTicks(stack);
                    Provisioned through = provisionAll(fixture, dev, keys(round, n));
                    Map<String, Long> cpuAfter = cpuTicks(stack);
                    busy.add(String.format("%4d round %d: %s", n, round, String.join(" / ", stack.serviceNames().stream().map(s -> String.format("%.1f",
                            (double) (cpuAfter.get(s) - cpuBefore.get(s)) / TICKS_PER_SECOND)).toList())));
                    ready.add(through.readyMillis());
                    applied.add(through.appliedMillis());
                    if (round < rounds) {
                        deleteAll(fixture, keys(round, n));
                    }
                    raw.add(rawAll(n, false));
                    byHand.add(rawAll(n, true));
                    System.out.printf("fleet benchmark: N=%d round %d of %d: pgfleet %d ms (users there %d ms), raw %d ms, the same work by hand %d ms%n",
                            n, round, rounds, through.readyMillis(), through.appliedMillis(), raw.get(raw.size() - 1), byHand.get(byHand.size() - 1));
                }
                Map<String, Long> before = cpuTicks(stack);
                Map<String, Map<String, Long>> threadsBefore = threadTicks(stack);
                long idleStart = System.nanoTime();
                java.util.concurrent.locks.LockSupport.parkNanos(idle.toNanos()); // the measured idle period itself
                double seconds = (System.nanoTime() - idleStart) / 1e9;
                Map<String, Long> after = cpuTicks(stack);
                busiest.add(String.format("%4d %s", n, busiestThreads(threadsBefore, threadTicks(stack), seconds)));
                StringBuilder perService = new StringBuilder();
                long total = 0;
                for (String service : stack.serviceNames()) {
                    long used = after.get(service) - before.get(service);
                    total += used;
                    perService.append(String.format(" %s %.1f%%", service, 100.0 * used / TICKS_PER_SECOND / seconds));
                }
                String rss = String.join(" / ", stack.serviceNames().stream().map(s -> String.format("%.0f", rssMb(stack.process(s).pid()))).toList());
                lines.add(String.format("%4d %24s %24s %6.2fx %24s %24s %6.2fx %13.1f%% %26s  (%s)", n, Medians.withRange(ready),
                        Medians.withRange(raw), (double) Medians.of(ready) / Medians.of(raw), Medians.withRange(applied), Medians.withRange(byHand),
                        (double) Medians.of(applied) / Medians.of(byHand), 100.0 * total / TICKS_PER_SECOND / seconds, rss, perService.toString().strip()));
                deleteAll(fixture, keys(rounds, n));
            }
        }
        System.out.println();
        System.out.println("fleet benchmark: N development instances provisioned at once (publish -> every provisioner SUCCEEDED; users "
                + "there: every user-manager SUCCEEDED too) vs N raw initdb + pg_ctl start at once, and users there vs the same work by hand "
                + "(each instance's TLS certificate, the example's settings, its user, database and extension by psql), medians of " + rounds
                + " alternating rounds with their ranges; the services' CPU (share of one core) while the last round's N instances sit idle for "
                + idle.toSeconds() + "s, and their resident memory after");
        lines.forEach(System.out::println);
        System.out.println("CPU the services used while the N were provisioned (s; provisioner / user-manager / backup-worker):");
        busy.forEach(System.out::println);
        System.out.println("the busiest threads while the N sat idle (share of one core; thread names as /proc gives them):");
        busiest.forEach(System.out::println);
        System.out.println("goals (#17): 30 instances <= 1.3x raw; idle CPU of the services < 5% of one core; each service ready <= 2 s "
                + "after its JVM starts and <= 200 MB resident after the fleet run");
        System.exit(0);
    }

    /** The N instances of one round: names of their own, so no round meets what another left. */
    private static List<InstanceKey> keys(int round, int n) {
        List<InstanceKey> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(new InstanceKey(LocalStack.NAMESPACE, "fleet-r" + round + "-" + i));
        }
        return keys;
    }

    /**
     * How long N provisions took, from publishing them all: until the provisioner's {@code SUCCEEDED} of every one (the
     * instances run), and until the user-manager's too (their users and databases are there: the tenant can connect).
     */
    record Provisioned(long readyMillis, long appliedMillis) {
    }

    /** Publishes a copy of {@code doc} for each key at once and waits for every SUCCEEDED (throws when one did not). */
    static Provisioned provisionAll(StackFixture fixture, Postgres doc, List<InstanceKey> keys) {
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (InstanceKey key : keys) {
            ids.add(fixture.publisher.publish(CommandType.PROVISION, key,
                    new Postgres(doc.apiVersion(), doc.kind(), new Metadata(key.name(), key.namespace()), doc.spec())));
        }
        long ready = awaitSucceeded(fixture, ids, "provisioner", start);
        long applied = awaitSucceeded(fixture, ids, "user-manager", start);
        return new Provisioned(ready, Math.max(ready, applied));
    }

    private static long awaitSucceeded(StackFixture fixture, List<String> ids, String service, long start) {
        for (String id : ids) {
            var last = fixture.feed.awaitFinal(id, service, TIMEOUT);
            if (last.phase() != Phase.SUCCEEDED) {
                throw new IllegalStateException("provision " + id + " ended " + last.phase() + " at the " + service + ": " + last.message());
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void deleteAll(StackFixture fixture, List<InstanceKey> keys) {
        List<String> ids = new ArrayList<>();
        for (InstanceKey key : keys) {
            ids.add(fixture.publisher.publish(CommandType.DELETE, key, new DeleteCommand(key.name(), key.namespace())));
        }
        ids.forEach(id -> fixture.feed.awaitFinal(id, "provisioner", TIMEOUT));
    }

    /**
     * What a person would script for N instances at once: initdb and start each, in parallel; ms until all run. With
     * {@code sameWork}, also what pgfleet does for the development example beyond that, as a person would: a TLS certificate
     * (openssl, ECDSA P-256 as the local driver's), the example's settings and pgfleet's {@code pg_stat_statements}, and once
     * started the example's user, database and extension by psql over TLS; ms until all are done.
     */
    private static long rawAll(int n, boolean sameWork) throws Exception {
        OsUser os = OsUser.forPostgres("nobody");
        PgBinaries bin = PgBinaries.find(Optional.empty());
        Path root = Files.createTempDirectory("pgfleet-raw-fleet-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Path> dataDirs = new ArrayList<>();
        // Ports chosen before the threads start and distinct: two threads picking at once could be given the same one.
        java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
        while (ports.size() < n) {
            ports.add(LoopbackPorts.freeBlock(1));
        }
        java.util.Iterator<Integer> nextPort = ports.iterator();
        try {
            long start = System.nanoTime();
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Path dir = root.resolve("i" + i);
                Path data = dir.resolve("data");
                int port = nextPort.next();
                dataDirs.add(data);
                started.add(pool.submit(() -> {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                    os.own(dir);
                    Path pw = dir.resolve("pw");
                    Files.writeString(pw, "secret\n");
                    os.own(pw);
                    run(os, List.of(bin.tool("initdb"), "-D", data.toString(), "-U", "postgres", "--pwfile=" + pw, "--auth-local=scram-sha-256",
                            "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale"));
                    Files.writeString(data.resolve("postgresql.conf"), "\nlisten_addresses = '127.0.0.1'\nport = " + port
                            + "\nunix_socket_directories = '" + dir + "'\n", StandardOpenOption.APPEND);
                    if (sameWork) {
                        run(os, List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                "-keyout", data.resolve("server.key").toString(), "-out", data.resolve("server.crt").toString(), "-days", "30",
                                "-subj", "/CN=127.0.0.1"));
                        Files.writeString(data.resolve("postgresql.conf"), "ssl = on\nmax_connections = 50\nshared_buffers = '128MB'\n"
                                + "shared_preload_libraries = 'pg_stat_statements'\n", StandardOpenOption.APPEND);
                    }
                    run(os, List.of(bin.tool("pg_ctl"), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w", "start"));
                    if (sameWork) {
                        psql(os, bin, port, "postgres", "CREATE ROLE dev_user LOGIN PASSWORD 'dev-password'", "CREATE DATABASE dev_db",
                                "GRANT ALL ON DATABASE dev_db TO dev_user");
                        psql(os, bin, port, "dev_db", "CREATE EXTENSION hstore", "GRANT ALL ON SCHEMA public TO dev_user");
                    }
                    return null;
                }));
            }
            for (Future<?> future : started) {
                future.get();
            }
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            pool.shutdown();
            for (Path data : dataDirs) {
                ProcessRunner.run(os.command(List.of(bin.tool("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop")), Map.of(),
                        Path.of("/"), Duration.ofMinutes(1));
            }
            io.pgfleet.host.FileTrees.delete(root);
        }
    }

    private static void run(OsUser os, List<String> argv) {
        ProcessRunner.check(os.command(argv), Map.of(), Path.of("/"), TIMEOUT);
    }

    /** One psql session over TLS as the instance's superuser, running {@code statements} in their order. */
    private static void psql(OsUser os, PgBinaries bin, int port, String database, String... statements) {
        List<String> argv = new ArrayList<>(List.of(bin.tool("psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", "postgres", "-d", database));
        for (String statement : statements) {
            argv.addAll(List.of("-c", statement));
        }
        ProcessRunner.check(os.command(argv), Map.of("PGPASSWORD", "secret", "PGSSLMODE", "require"), Path.of("/"), TIMEOUT);
    }

    /** utime + stime of each thread of each service (service -> "<name>/<tid>" -> ticks); threads that ended are left out. */
    static Map<String, Map<String, Long>> threadTicks(LocalStack stack) throws Exception {
        Map<String, Map<String, Long>> services = new LinkedHashMap<>();
        for (String service : stack.serviceNames()) {
            Map<String, Long> threads = new LinkedHashMap<>();
            try (var tasks = Files.list(Path.of("/proc", Long.toString(stack.process(service).pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        threads.put(name + "/" + task.getFileName(), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                    } catch (java.nio.file.NoSuchFileException ended) {
                        // the thread ended between the listing and the read
                    }
                }
            }
            services.put(service, threads);
        }
        return services;
    }

    /** Per service, the three threads that used the most CPU between the two readings, as shares of one core. */
    static String busiestThreads(Map<String, Map<String, Long>> before, Map<String, Map<String, Long>> after, double seconds) {
        List<String> parts = new ArrayList<>();
        for (var service : after.entrySet()) {
            Map<String, Long> earlier = before.getOrDefault(service.getKey(), Map.of());
            String top = service.getValue().entrySet().stream()
                    .map(t -> Map.entry(t.getKey().substring(0, t.getKey().lastIndexOf('/')), t.getValue() - earlier.getOrDefault(t.getKey(), 0L)))
                    .filter(t -> t.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                    .map(t -> String.format("%s %.2f%%", t.getKey(), 100.0 * t.getValue() / TICKS_PER_SECOND / seconds))
                    .collect(java.util.stream.Collectors.joining(", "));
            parts.add(service.getKey() + ": " + (top.isEmpty() ? "-" : top));
        }
        return String.join("; ", parts);
    }

    /** utime + stime of each service, in clock ticks. */
    static Map<String, Long> cpuTicks(LocalStack stack) throws Exception {
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (String service : stack.serviceNames()) {
            String stat = Files.readString(Path.of("/proc", Long.toString(stack.process(service).pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks.put(service, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
        }
        return ticks;
    }

    private static double rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }
}
