package io.pgfleet.cli;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.testkit.Medians;
import io.pgfleet.testkit.StatusFeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark (bench/latency.sh, not a test): add-user commands for existing instances of the local stack, published at a
 * steady rate, timed from publish to the user-manager's {@code ACCEPTED} and to its {@code SUCCEEDED} as a plain status
 * consumer sees them; beside it, in the same run and on the same broker, two yardsticks at the same rate: a raw Kafka
 * consume→produce echo (the least any Kafka service can answer in), and a transactional echo that writes each poll's
 * records to the state PostgreSQL and commits before producing them (the least a durable {@code ACCEPTED} has to do).
 * Rounds alternate the three; it prints each round's p50 and p99, then their medians with ranges and the ratios of
 * {@code ACCEPTED}'s p99 to each yardstick's.
 */
public final class LatencyBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final int INSTANCES = 4;

    /** One round's latencies (ns) of each kind. */
    private record Round(List<Long> echo, List<Long> durableEcho, List<Long> accepted, List<Long> written, List<Long> seen,
                         List<Long> succeeded) {
    }

    public static void main(String[] args) throws Exception {
        int commands = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path home = Path.of(System.getProperty("pgfleet.home")).toAbsolutePath().normalize();
        Postgres dev = PayloadReader.fromText(Files.readString(home.resolve("examples/postgres-dev.yaml")), Postgres.class).value();
        try (StackFixture fixture = new StackFixture("pgfleet-latency-bench-")) {
            List<InstanceKey> instances = new ArrayList<>();
            for (int i = 0; i < INSTANCES; i++) {
                instances.add(key(i));
            }
            FleetBenchmark.provisionAll(fixture, dev, instances);
            try (Connection state = fixture.stack.state().connect("pgfleet"); Statement sql = state.createStatement()) {
                sql.execute("CREATE TABLE IF NOT EXISTS bench_echo (k text PRIMARY KEY, v bytea NOT NULL)");
            }
            List<Round> done = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                List<Long> echo = echo(fixture.stack.kafka().clientProperties(), "raw-" + round, commands, rate, null);
                List<Long> durable;
                try (Connection state = fixture.stack.state().connect("pgfleet")) {
                    durable = echo(fixture.stack.kafka().clientProperties(), "durable-" + round, commands, rate, state);
                }
                Round measured = commands(fixture, round, commands, rate, echo, durable);
                done.add(measured);
                System.out.printf("%nround %d of %d: %d add-user commands for %d instances at %d/s (ms)%n", round, rounds, commands,
                        INSTANCES, rate);
                System.out.printf("%-26s %8s %8s %8s%n", "", "p50", "p99", "max");
                row("raw echo", measured.echo());
                row("transactional echo", measured.durableEcho());
                row("publish -> ACCEPTED", measured.accepted());
                row("  publish -> written", measured.written());
                row("  written -> seen", measured.seen());
                row("publish -> SUCCEEDED", measured.succeeded());
            }
            System.out.println();
            System.out.printf("medians of %d rounds (ms, range)   p50                      p99%n", rounds);
            summary("raw echo", done, Round::echo);
            summary("transactional echo", done, Round::durableEcho);
            summary("publish -> ACCEPTED", done, Round::accepted);
            summary("  publish -> written", done, Round::written);
            summary("  written -> seen", done, Round::seen);
            summary("publish -> SUCCEEDED", done, Round::succeeded);
            double accepted = Medians.of(p99s(done, Round::accepted)) / 1e6;
            System.out.printf("ACCEPTED p99 / transactional echo p99 = %.2fx (goal <= 1.3x); / raw echo p99 = %.2fx (goal <= 2x)%n",
                    accepted / (Medians.of(p99s(done, Round::durableEcho)) / 1e6), accepted / (Medians.of(p99s(done, Round::echo)) / 1e6));
        }
        System.exit(0);
    }

    /** One round of commands: publish at the rate, wait for every answer, split each ACCEPTED's latency at its write. */
    private static Round commands(StackFixture fixture, int round, int commands, int rate, List<Long> echo, List<Long> durable)
            throws Exception {
        Map<String, Long> published = new HashMap<>();
        WallBase wallBase = new WallBase(System.nanoTime(), java.time.Instant.now());
        Map<String, Long> cpuBefore = FleetBenchmark.cpuTicks(fixture.stack);
        long ownBefore = ownCpuNanos();
        long first = System.nanoTime();
        for (int i = 0; i < commands; i++) {
            pace(first, i, rate);
            InstanceKey key = key(i % INSTANCES);
            long at = System.nanoTime();
            String id = fixture.publisher.publish(CommandType.ADD_USER, key,
                    new AddUserCommand(key.name(), key.namespace(), "bench_" + round + "_" + i, null, false, false, null));
            published.put(id, at);
        }
        for (String id : published.keySet()) {
            require(fixture.feed.awaitFinal(id, "user-manager", TIMEOUT).phase() == Phase.SUCCEEDED, "add-user " + id);
        }
        Map<String, Long> cpuAfter = FleetBenchmark.cpuTicks(fixture.stack);
        long ownAfter = ownCpuNanos();
        Map<String, Long> accepted = new HashMap<>();
        Map<String, Long> succeeded = new HashMap<>();
        // The ACCEPTED event's time (when the intake wrote it) splits its latency: publish -> written, written -> seen.
        List<Long> intake = new ArrayList<>();
        List<Long> relay = new ArrayList<>();
        long last = first;
        for (StatusFeed.Received received : fixture.feed.all()) {
            Long at = published.get(received.event().commandId());
            if (at == null) {
                continue;
            }
            Map<String, Long> into = received.event().phase() == Phase.ACCEPTED ? accepted
                    : received.event().phase() == Phase.SUCCEEDED ? succeeded : null;
            if (into == accepted && !accepted.containsKey(received.event().commandId())) {
                long written = wallBase.nanos() + java.time.Duration.between(wallBase.wall(), received.event().time()).toNanos();
                intake.add(written - at);
                relay.add(received.receivedNanos() - written);
            }
            if (into != null) {
                into.putIfAbsent(received.event().commandId(), received.receivedNanos() - at);
                last = Math.max(last, received.receivedNanos());
            }
        }
        System.out.printf("%nround %d: throughput %.0f commands/s (first publish to last SUCCEEDED)%n", round, commands / ((last - first) / 1e9));
        // clock ticks are 10 ms (USER_HZ 100)
        System.out.printf("services' CPU per command (ms): %s%n", String.join(", ", cpuAfter.keySet().stream().map(service ->
                String.format("%s %.1f", service, (cpuAfter.get(service) - cpuBefore.get(service)) * 10.0 / commands)).toList())
                + String.format(", this process (Kafka broker, publisher, status reader) %.1f", (ownAfter - ownBefore) / 1e6 / commands));
        return new Round(echo, durable, new ArrayList<>(accepted.values()), intake, relay, new ArrayList<>(succeeded.values()));
    }

    private static List<Long> p99s(List<Round> rounds, java.util.function.Function<Round, List<Long>> kind) {
        return rounds.stream().map(round -> (long) (percentile(kind.apply(round), 99) * 1e6)).toList();
    }

    /** One line of the summary: the median over the rounds of each round's p50 and p99, with their ranges. */
    private static void summary(String name, List<Round> rounds, java.util.function.Function<Round, List<Long>> kind) {
        List<Double> p50 = rounds.stream().map(round -> percentile(kind.apply(round), 50)).sorted().toList();
        List<Double> p99 = rounds.stream().map(round -> percentile(kind.apply(round), 99)).sorted().toList();
        System.out.printf("%-26s %7.1f (%.1f–%.1f)   %7.1f (%.1f–%.1f)%n", name, p50.get(p50.size() / 2), p50.get(0), p50.get(p50.size() - 1),
                p99.get(p99.size() / 2), p99.get(0), p99.get(p99.size() - 1));
    }

    /** A moment on both clocks: the monotonic one the latencies use and the wall clock of the events' times. */
    private record WallBase(long nanos, java.time.Instant wall) {
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static InstanceKey key(int i) {
        return new InstanceKey(LocalStack.NAMESPACE, "latency-" + i);
    }

    /**
     * Publishes {@code count} records at {@code rate}; an echo loop consumes each and produces it to a second topic. With
     * {@code state}, the loop first writes each poll's records to it in one transaction and commits, as the intake does.
     */
    private static List<Long> echo(Properties client, String name, int count, int rate, Connection state) throws Exception {
        String in = "bench.echo." + name + ".in";
        String out = "bench.echo." + name + ".out";
        try (AdminClient admin = AdminClient.create(client)) {
            admin.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties producing = new Properties();
        producing.putAll(client);
        producing.put("acks", "all");
        producing.put("enable.idempotence", "true");
        Map<String, Long> seen = new ConcurrentHashMap<>();
        try (KafkaProducer<String, byte[]> publisher = new KafkaProducer<>(producing, new StringSerializer(), new ByteArraySerializer());
             KafkaProducer<String, byte[]> echoer = new KafkaProducer<>(producing, new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> echoIn = consumer(client, "echo-" + name, in);
             KafkaConsumer<String, byte[]> echoOut = consumer(client, "echo-reader-" + name, out)) {
            java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(2);
            boolean[] loopAssigned = new boolean[1];
            Thread loop = new Thread(() -> untilInterrupted(() -> {
                var records = echoIn.poll(Duration.ofMillis(100));
                if (!echoIn.assignment().isEmpty() && !loopAssigned[0]) {
                    loopAssigned[0] = true;
                    assigned.countDown();
                }
                if (state != null && !records.isEmpty()) {
                    write(state, name, records);
                }
                for (ConsumerRecord<String, byte[]> record : records) {
                    echoer.send(new ProducerRecord<>(out, record.key(), record.value()));
                }
                echoIn.commitSync();
            }));
            boolean[] readerAssigned = new boolean[1];
            Thread reader = new Thread(() -> untilInterrupted(() -> {
                var records = echoOut.poll(Duration.ofMillis(100));
                records.forEach(record -> seen.putIfAbsent(record.key(), System.nanoTime()));
                if (!echoOut.assignment().isEmpty() && !readerAssigned[0]) {
                    readerAssigned[0] = true;
                    assigned.countDown();
                }
            }));
            loop.start();
            reader.start();
            // Both consumers have their partitions before the clock starts.
            require(assigned.await(1, TimeUnit.MINUTES), "the echo's consumers' assignment");
            Map<String, Long> sent = new HashMap<>();
            long first = System.nanoTime();
            for (int i = 0; i < count; i++) {
                pace(first, i, rate);
                sent.put("k" + i, System.nanoTime());
                publisher.send(new ProducerRecord<>(in, "k" + i, new byte[512])).get(30, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (seen.size() < count && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            loop.interrupt();
            reader.interrupt();
            loop.join();
            reader.join();
            require(seen.size() == count, "the echo answered " + seen.size() + " of " + count);
            List<Long> latencies = new ArrayList<>();
            sent.forEach((key, at) -> latencies.add(seen.get(key) - at));
            return latencies;
        }
    }

    /** A poll's records written to the state database in one transaction. */
    private static void write(Connection state, String name, Iterable<ConsumerRecord<String, byte[]>> records) {
        try {
            state.setAutoCommit(false);
            try (PreparedStatement insert = state.prepareStatement("INSERT INTO bench_echo (k, v) VALUES (?, ?)")) {
                for (ConsumerRecord<String, byte[]> record : records) {
                    insert.setString(1, name + "/" + record.key());
                    insert.setBytes(2, record.value());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            state.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("the transactional echo's write failed: " + e.getMessage(), e);
        }
    }

    /** Runs {@code step} again and again until the thread is interrupted (a Kafka call it interrupts ends the loop too). */
    private static void untilInterrupted(Runnable step) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                step.run();
            }
        } catch (org.apache.kafka.common.errors.InterruptException stopped) {
            // the benchmark stopped the echo
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(Properties client, String group, String topic) {
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put("group.id", group);
        properties.put("auto.offset.reset", "earliest");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** Waits until the i-th record is due at {@code rate} per second from {@code first}. */
    private static void pace(long first, int i, int rate) {
        long due = first + i * 1_000_000_000L / rate;
        long now;
        while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(due - now);
        }
    }

    private static double percentile(List<Long> nanos, int p) {
        List<Long> sorted = nanos.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
    }

    private static void row(String name, List<Long> nanos) {
        System.out.printf("%-26s %8.1f %8.1f %8.1f%n", name, percentile(nanos, 50), percentile(nanos, 99), percentile(nanos, 100));
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what + " did not succeed");
        }
    }
}
