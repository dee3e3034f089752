package io.pgfleet.provisioner.bench;

import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.DeleteCommand;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Metadata;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.provisioner.ProvisionerFixture;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.SyncQuorum;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import io.pgfleet.testkit.Medians;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Times publish → SUCCEEDED through the provisioner for the reference's development and
 * high-availability examples, and the raw initdb + pg_basebackup + pg_ctl start sequence for the
 * same shapes on the same machine in the same run, and prints the ratio. Two provisioners run side by side, one
 * whose members serve TLS (the default) and one without ({@code pgfleet.local.tls=false}); each round times
 * one provision through each and the raw sequence, in turn, so a machine that slows down during the run
 * slows all three alike and the TLS overhead is the ratio of the two pgfleet medians.
 * Run with {@code bench/provisioner.sh [runs]}.
 */
public final class ProvisionBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private ProvisionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<String> rows = new ArrayList<>();
        try (ProvisionerFixture tlsFixture = new ProvisionerFixture(); ProvisionerFixture plainFixture = new ProvisionerFixture();
             ProvisionerFixture coldFixture = new ProvisionerFixture()) {
            EmbeddedServer tls = tlsFixture.startProvisioner(Map.of("pgfleet.provisioner.health-interval", "5s"));
            EmbeddedServer plain = plainFixture.startProvisioner(Map.of("pgfleet.provisioner.health-interval", "5s", "pgfleet.local.tls", "false"));
            EmbeddedServer cold = coldFixture.startProvisioner(Map.of("pgfleet.provisioner.health-interval", "5s", "pgfleet.local.warm-pool", "0"));
            ClusterDriver tlsDriver = tls.getApplicationContext().getBean(ClusterDriver.class);
            ClusterDriver plainDriver = plain.getApplicationContext().getBean(ClusterDriver.class);
            ClusterDriver coldDriver = cold.getApplicationContext().getBean(ClusterDriver.class);
            try {
                for (int example : new int[] {3, 2}) {
                    Postgres doc = PayloadReader.fromText(ReferenceExamples.documents().get(example).text(), Postgres.class).value();
                    List<Long> withTls = new ArrayList<>();
                    List<Long> withoutTls = new ArrayList<>();
                    List<Long> withoutPool = new ArrayList<>();
                    List<Long> raw = new ArrayList<>();
                    // A warm-up round (JIT, caches), not counted.
                    throughPgfleet(tlsFixture, tlsDriver, doc, -1);
                    throughPgfleet(plainFixture, plainDriver, doc, -1);
                    throughPgfleet(coldFixture, coldDriver, doc, -1);
                    for (int run = 0; run < runs; run++) {
                        // Each timed run starts on a quiet machine: no pool is being filled (that CPU is the idle time's).
                        awaitFullPools(tlsFixture, plainFixture);
                        withTls.add(throughPgfleet(tlsFixture, tlsDriver, doc, run));
                        awaitFullPools(tlsFixture, plainFixture);
                        withoutTls.add(throughPgfleet(plainFixture, plainDriver, doc, run));
                        awaitFullPools(tlsFixture, plainFixture);
                        withoutPool.add(throughPgfleet(coldFixture, coldDriver, doc, run));
                        awaitFullPools(tlsFixture, plainFixture);
                        raw.add(rawSequence(ClusterSpec.of(doc.spec()), doc.metadata().name()));
                    }
                    long on = Medians.of(withTls);
                    long off = Medians.of(withoutTls);
                    long nopool = Medians.of(withoutPool);
                    long r = Medians.of(raw);
                    rows.add(String.format("%-18s %8d %8d %8d %8d %7.2fx %7.2fx %7.2fx %+8.1f%%   TLS on %s, off %s, no pool %s, raw %s",
                            doc.metadata().name() + " (" + doc.spec().replicas() + ")", on, off, nopool, r, (double) on / r, (double) off / r,
                            (double) nopool / r, 100.0 * (on - off) / off, Medians.withRange(withTls), Medians.withRange(withoutTls),
                            Medians.withRange(withoutPool), Medians.withRange(raw)));
                }
            } finally {
                tls.close();
                plain.close();
                cold.close();
            }
        }
        System.out.println();
        System.out.println("publish -> SUCCEEDED with the members' TLS on and off (warm pool of 2), with TLS and no warm pool, vs raw"
                + " initdb + pg_basebackup + pg_ctl start (median of " + runs + " interleaved rounds, ms)");
        System.out.println(String.format("%-18s %8s %8s %8s %8s %8s %8s %8s %9s", "example (members)", "TLS on", "TLS off", "no pool", "raw",
                "on/raw", "off/raw", "cold/raw", "TLS cost"));
        rows.forEach(System.out::println);
        System.out.println("goals: ratio to raw <= 1.2x (#17), TLS cost <= 5% (#14), development example with the warm pool <= 0.5x (#34)");
        System.exit(0);
    }

    private static long throughPgfleet(ProvisionerFixture fixture, ClusterDriver driver, Postgres doc, int run) {
        String name = doc.metadata().name() + "-b" + run;
        Postgres named = new Postgres(doc.apiVersion(), doc.kind(), new Metadata(name, "bench"), doc.spec());
        InstanceKey key = new InstanceKey("bench", name);
        long start = System.nanoTime();
        String id = fixture.publisher.publish(CommandType.PROVISION, key, named);
        var last = fixture.feed.awaitFinal(id, "provisioner", TIMEOUT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (last.phase() != Phase.SUCCEEDED) {
            throw new IllegalStateException(name + " ended " + last.phase() + ": " + last.message());
        }
        String delete = fixture.publisher.publish(CommandType.DELETE, key, new DeleteCommand(name, "bench"));
        if (fixture.feed.awaitFinal(delete, "provisioner", TIMEOUT).phase() != Phase.SUCCEEDED || driver.observe(key).exists()) {
            throw new IllegalStateException(name + " was not deleted");
        }
        return millis;
    }

    /**
     * Until each pooled provisioner's warm pools (the default storage class's, and every class a provision used) hold
     * their two ready data directories again.
     */
    private static void awaitFullPools(ProvisionerFixture... fixtures) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (ProvisionerFixture fixture : fixtures) {
            List<Path> pools = new ArrayList<>(List.of(fixture.dataRoot.resolve("replicated").resolve(".warm-pool")));
            try (Stream<Path> classes = Files.list(fixture.dataRoot)) {
                classes.map(c -> c.resolve(".warm-pool")).filter(Files::isDirectory).filter(p -> !pools.contains(p)).forEach(pools::add);
            }
            for (Path pool : pools) {
                while (ready(pool) < 2) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the warm pool in " + pool + " was not filled again");
                    }
                    LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                }
            }
        }
    }

    private static long ready(Path pool) {
        if (!Files.isDirectory(pool)) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(pool)) {
            return entries.filter(e -> e.getFileName().toString().startsWith("ready-") && Files.exists(e.resolve("password"))).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** What a person would script: the same members, settings and replication, without pgfleet. */
    private static long rawSequence(ClusterSpec spec, String name) throws Exception {
        OsUser os = OsUser.forPostgres("nobody");
        PgBinaries bin = PgBinaries.find(Optional.empty());
        Path root = Files.createTempDirectory("pgfleet-raw-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        List<Path> dataDirs = new ArrayList<>();
        try {
            long start = System.nanoTime();
            List<Integer> ports = new ArrayList<>();
            List<String> standbys = new ArrayList<>();
            for (int i = 2; i <= spec.replicas(); i++) {
                standbys.add(name + "-" + i);
            }
            for (int i = 1; i <= spec.replicas(); i++) {
                Path dir = root.resolve("m" + i);
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                os.own(dir);
                Path data = dir.resolve("data");
                dataDirs.add(data);
                int port = freePort();
                ports.add(port);
                if (i == 1) {
                    Path pw = dir.resolve("pw");
                    Files.writeString(pw, "secret\n");
                    os.own(pw);
                    run(os, List.of(bin.tool("initdb"), "-D", data.toString(), "-U", "postgres", "--pwfile=" + pw,
                            "--auth-local=trust", "--auth-host=trust", "-E", "UTF8", "--no-locale"));
                } else {
                    run(os, List.of(bin.tool("pg_basebackup"), "-D", data.toString(), "-h", "127.0.0.1", "-p", ports.get(0).toString(),
                            "-U", "postgres", "-X", "stream", "-R", "-d", "application_name=" + name + "-" + i, "--checkpoint=fast", "--no-sync"));
                }
                StringBuilder conf = new StringBuilder("\nlisten_addresses = '127.0.0.1'\nport = " + port + "\nunix_socket_directories = '" + dir
                        + "'\nshared_preload_libraries = 'pg_stat_statements'\n");
                if (i == 1) {
                    conf.append("synchronous_standby_names = '").append(SyncQuorum.standbyNames(spec.minSyncReplicas(), spec.maxSyncReplicas(),
                            standbys).replace("'", "''")).append("'\n");
                }
                spec.parameters().forEach((k, v) -> conf.append(k).append(" = '").append(v).append("'\n"));
                Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                run(os, List.of(bin.tool("pg_ctl"), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w", "start"));
            }
            awaitStreaming(ports.get(0), spec.replicas() - 1);
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            for (Path data : dataDirs) {
                ProcessRunner.run(os.command(List.of(bin.tool("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop")), Map.of(),
                        Path.of("/"), Duration.ofMinutes(1));
            }
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void awaitStreaming(int primaryPort, int replicas) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + primaryPort + "/postgres", "postgres", "secret");
                 Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
                r.next();
                if (r.getInt(1) >= replicas) {
                    return;
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new IllegalStateException("raw replicas never streamed");
    }

    private static void run(OsUser os, List<String> argv) {
        ProcessRunner.check(os.command(argv), Map.of(), Path.of("/"), TIMEOUT);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
