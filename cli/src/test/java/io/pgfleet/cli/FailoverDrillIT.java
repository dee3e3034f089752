package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import io.pgfleet.host.ProcessRunner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The reference's high-availability example on the local stack (real processes), written to once every 50 ms through
 * the string {@code pgfleet connect} prints; its primary's postmaster SIGKILLed and its data directory removed. A standby
 * takes over, writes go on through the same string, every acknowledged id is there (read back with psql), and the old
 * member comes back as a standby.
 */
@Tag("drill")
class FailoverDrillIT {

    /** One INSERT attempt: its id, whether its commit returned, when. */
    private record Write(int id, boolean acknowledged, long nanos) {
    }

    @Test
    void theHighAvailabilityExampleFailsOverUnderAWriteLoopWithoutLosingAnAcknowledgedWrite() throws Exception {
        try (UpProcess stack = new UpProcess("pgfleet-failover-it-", List.of(), Map.of())) {
            stack.start();
            UpProcess.Result apply = stack.pgfleet("apply", "-f", stack.home.resolve("examples/postgres-ha.yaml").toString(), "--wait");
            assertThat(apply.output()).as(apply.output()).contains("provisioner    SUCCEEDED", "user-manager   SUCCEEDED");
            UpProcess.Result connect = stack.pgfleet("connect", "postgres-ha", "--user", "admin", "--database", "production", "--with-password");
            assertThat(connect.code()).as(connect.output()).isZero();
            String uri = connect.output().strip();
            assertThat(uri).contains("target_session_attrs=read-write", "sslmode=verify-full");
            LibpqUrl url = LibpqUrl.parse(uri);
            try (Connection c = url.connect(); Statement sql = c.createStatement()) {
                sql.execute("CREATE TABLE ticks (id int PRIMARY KEY)");
            }

            List<Write> writes = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> writeEvery50ms(url, writes, stop));
            writer.start();
            await().atMost(Duration.ofMinutes(1)).until(() -> acknowledged(writes).size() >= 40);

            Path data = stack.dataDir.resolve("clusters/replicated/default/postgres-ha/member-1/data");
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
            int killedAt = snapshot(writes).size();
            ProcessRunner.check(List.of("kill", "-KILL", Long.toString(pid)), Map.of(), Path.of("/"), Duration.ofSeconds(30));
            ProcessRunner.check(List.of("rm", "-rf", data.toString()), Map.of(), Path.of("/"), Duration.ofMinutes(1));

            // Writes succeed again through the same string, on the new primary.
            await().atMost(Duration.ofMinutes(2)).until(() -> acknowledged(writes).stream().filter(w -> w.id() >= killedAt).count() >= 40);
            stop.set(true);
            writer.join(30_000);
            long windowMillis = 0;
            Write previous = null;
            for (Write write : acknowledged(writes)) {
                if (previous != null) {
                    windowMillis = Math.max(windowMillis, (write.nanos() - previous.nanos()) / 1_000_000);
                }
                previous = write;
            }
            System.out.println("failover drill: longest time without an acknowledged write " + windowMillis + " ms; "
                    + acknowledged(writes).size() + " writes acknowledged, " + (snapshot(writes).size() - acknowledged(writes).size()) + " refused");

            // Every acknowledged id is there, read by psql through the string connect printed.
            Set<Integer> stored = ProcessRunner.check(List.of("psql", uri, "-Atc", "SELECT id FROM ticks"), Map.of(), Path.of("/"),
                    Duration.ofMinutes(1)).output().lines().map(String::strip).filter(l -> l.matches("\\d+")).map(Integer::valueOf)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<Integer> acked = acknowledged(writes).stream().map(Write::id).collect(Collectors.toCollection(TreeSet::new));
            assertThat(stored).containsAll(acked);

            // The old member comes back as a standby of the new primary.
            await().atMost(Duration.ofMinutes(2)).until(() -> member(stack, "postgres-ha-1").path("state").asText().equals("streaming"));
            assertThat(member(stack, "postgres-ha-1").path("role").asText()).isEqualTo("replica");
            // FailoverCompleted comes when the repair ends, which the member's state can show a moment before.
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(
                    stack.pgfleet("events", "--instance", "postgres-ha", "--json").output())
                    .contains("PrimaryLost", "FailoverStarted", "FailoverCompleted"));
        }
    }

    private static List<Write> acknowledged(List<Write> writes) {
        return snapshot(writes).stream().filter(Write::acknowledged).toList();
    }

    private static List<Write> snapshot(List<Write> writes) {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    /** One INSERT every 50 ms, a new connection (through every host of the string) after a failure. */
    private static void writeEvery50ms(LibpqUrl url, List<Write> writes, AtomicBoolean stop) {
        Connection connection = null;
        for (int id = 0; !stop.get(); id++) {
            long started = System.nanoTime();
            try {
                if (connection == null) {
                    connection = url.connect();
                }
                try (Statement sql = connection.createStatement()) {
                    sql.execute("INSERT INTO ticks VALUES (" + id + ")");
                }
                writes.add(new Write(id, true, System.nanoTime()));
            } catch (SQLException e) {
                writes.add(new Write(id, false, System.nanoTime()));
                try {
                    if (connection != null) {
                        connection.close();
                    }
                } catch (SQLException ignored) {
                    // it is gone anyway
                }
                connection = null;
            }
            LockSupport.parkNanos(Math.max(0, Duration.ofMillis(50).toNanos() - (System.nanoTime() - started)));
        }
    }

    /** A member as the provisioner's instance view shows it. */
    private static JsonNode member(UpProcess stack, String name) throws Exception {
        JsonNode view = UpProcess.view(stack.dataDir, "http://127.0.0.1:" + (stack.basePort + 4), "/instances/default/postgres-ha");
        for (JsonNode member : view.path("observed").path("members")) {
            if (member.path("name").asText().equals(name)) {
                return member;
            }
        }
        return Json.mapper().createObjectNode();
    }
}
