package io.pgfleet.provisioner.bench;

import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.SwitchoverCommand;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.provisioner.ProvisionerFixture;
import io.pgfleet.host.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Failover and switchover of the reference's high-availability example under a write loop (one INSERT every 50 ms through
 * every member's address with {@code targetServerType=primary}, as {@code pgfleet connect} gives them): for each, the
 * longest time without an acknowledged write and the acknowledged writes missing afterwards (must be 0). A failover is the
 * primary's postmaster SIGKILLed and its data directory removed; a switchover is the {@code switchover} command to the
 * next member. Goals: failover window at most 5 s, switchover pause at most 2 s. Run with {@code bench/failover.sh [rounds]}.
 */
public final class FailoverBenchmark {

    private static final Duration SLOW = Duration.ofMinutes(5);

    private record Write(int id, boolean acknowledged, long nanos) {
    }

    private FailoverBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        InstanceKey key = new InstanceKey("bench", "postgres-ha");
        List<String> rows = new ArrayList<>();
        try (ProvisionerFixture fixture = new ProvisionerFixture()) {
            fixture.track(key);
            EmbeddedServer provisioner = fixture.startProvisioner(Map.of("pgfleet.provisioner.health-interval", "2s"));
            ClusterDriver driver = provisioner.getApplicationContext().getBean(ClusterDriver.class);
            Postgres doc = PayloadReader.fromText(ReferenceExamples.documents().get(2).text(), Postgres.class).value();
            doc = new Postgres(doc.apiVersion(), doc.kind(), new io.pgfleet.events.postgres.Metadata("postgres-ha", "bench"), doc.spec());
            String id = fixture.publisher.publish(CommandType.PROVISION, key, doc);
            if (fixture.feed.awaitFinal(id, "provisioner", SLOW).phase() != Phase.SUCCEEDED) {
                throw new IllegalStateException("the HA example was not provisioned");
            }
            Endpoint first = driver.primary(key).orElseThrow();
            String url = "jdbc:postgresql://" + driver.primaryHosts(key).orElseThrow() + "/postgres?targetServerType=primary"
                    + (first.caFile() == null ? "" : "&sslmode=verify-full&sslrootcert=" + first.caFile().toAbsolutePath());
            try (Connection c = DriverManager.getConnection(url, first.user(), first.password()); Statement sql = c.createStatement()) {
                sql.execute("CREATE TABLE ticks (id int PRIMARY KEY)");
            }
            List<Write> writes = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> writeEvery50ms(url, first, writes, stop));
            writer.start();
            try {
                for (int round = 0; round < rounds; round++) {
                    for (String kind : List.of("failover", "switchover")) {
                        int from = writes.size();
                        long started = System.nanoTime();
                        if (kind.equals("failover")) {
                            failOver(fixture, driver, key);
                        } else {
                            switchOver(fixture, driver, key);
                        }
                        awaitAcknowledged(writes, from, 20);
                        int lost = lost(url, first, writes);
                        rows.add(String.format("%-10s round %d  window %5d ms  acknowledged writes lost %d  (ready again after %d ms)", kind, round + 1,
                                window(writes, from), lost, (System.nanoTime() - started) / 1_000_000));
                        System.out.println(rows.get(rows.size() - 1));
                    }
                }
            } finally {
                stop.set(true);
                writer.join(30_000);
                provisioner.close();
            }
        }
        System.out.println();
        System.out.println("HA example (5 members, ANY 2-3), one INSERT every 50 ms; window = longest time without an acknowledged write");
        rows.forEach(System.out::println);
        System.out.println("goals: failover window <= 5000 ms, switchover window <= 2000 ms, 0 acknowledged writes lost");
        System.exit(0);
    }

    /** SIGKILL to the primary's postmaster and its data directory removed; returns once FailoverCompleted is said. */
    private static void failOver(ProvisionerFixture fixture, ClusterDriver driver, InstanceKey key) throws Exception {
        String primary = driver.observe(key).members().get(0).name();
        Path data = fixture.dataRoot.resolve("replicated/bench/postgres-ha/member-" + primary.substring(primary.lastIndexOf('-') + 1) + "/data");
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        int seen = fixture.feed.forInstance(key.toString()).size();
        ProcessRunner.check(List.of("kill", "-KILL", Long.toString(pid)), Map.of(), Path.of("/"), Duration.ofSeconds(30));
        ProcessRunner.check(List.of("rm", "-rf", data.toString()), Map.of(), Path.of("/"), Duration.ofMinutes(1));
        fixture.feed.awaitEvent(e -> e.commandId() == null && "FailoverCompleted".equals(e.reason())
                && fixture.feed.forInstance(key.toString()).indexOf(e) >= seen, SLOW, () -> "no FailoverCompleted");
    }

    private static void switchOver(ProvisionerFixture fixture, ClusterDriver driver, InstanceKey key) {
        String id = fixture.publisher.publish(CommandType.SWITCHOVER, key, new SwitchoverCommand(key.name(), key.namespace(), null));
        StatusEvent last = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        if (last.phase() != Phase.SUCCEEDED) {
            throw new IllegalStateException("switchover ended " + last.phase() + ": " + last.message());
        }
    }

    private static void writeEvery50ms(String url, Endpoint credentials, List<Write> writes, AtomicBoolean stop) {
        Connection connection = null;
        for (int id = 0; !stop.get(); id++) {
            long started = System.nanoTime();
            try {
                if (connection == null) {
                    connection = DriverManager.getConnection(url, credentials.user(), credentials.password());
                }
                try (Statement sql = connection.createStatement()) {
                    sql.execute("INSERT INTO ticks VALUES (" + id + ")");
                }
                writes.add(new Write(id, true, System.nanoTime()));
            } catch (SQLException e) {
                writes.add(new Write(id, false, System.nanoTime()));
                connection = null;
            }
            LockSupport.parkNanos(Math.max(0, Duration.ofMillis(50).toNanos() - (System.nanoTime() - started)));
        }
    }

    private static void awaitAcknowledged(List<Write> writes, int from, int count) {
        long deadline = System.nanoTime() + SLOW.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (writes) {
                if (writes.stream().skip(from).filter(Write::acknowledged).count() >= count) {
                    return;
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new IllegalStateException("writes did not resume");
    }

    /** The longest gap between acknowledged writes since {@code from} (and the one before it). */
    private static long window(List<Write> writes, int from) {
        synchronized (writes) {
            long longest = 0;
            Write previous = null;
            for (Write write : writes.subList(Math.max(0, from - 1), writes.size())) {
                if (!write.acknowledged()) {
                    continue;
                }
                if (previous != null) {
                    longest = Math.max(longest, write.nanos() - previous.nanos());
                }
                previous = write;
            }
            return longest / 1_000_000;
        }
    }

    private static int lost(String url, Endpoint credentials, List<Write> writes) throws SQLException {
        Set<Integer> stored = new HashSet<>();
        try (Connection c = DriverManager.getConnection(url, credentials.user(), credentials.password()); Statement sql = c.createStatement();
             var rows = sql.executeQuery("SELECT id FROM ticks")) {
            while (rows.next()) {
                stored.add(rows.getInt(1));
            }
        }
        synchronized (writes) {
            return (int) writes.stream().filter(Write::acknowledged).filter(w -> !stored.contains(w.id())).count();
        }
    }
}
