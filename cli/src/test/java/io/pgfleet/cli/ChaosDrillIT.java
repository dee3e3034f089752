package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.DeleteCommand;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.command.SwitchoverCommand;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.host.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Chaos: the local stack (services, the Kafka broker and the state PostgreSQL as OS processes of their own) under a
 * steady mix of commands — provision, add-user, backup, restore, scale, switchover, delete — published by an independent
 * client, while a writer with synchronous commits runs against each of two high-availability instances, and a seeded,
 * printed schedule injects one fault at a time at random moments: SIGKILL, and SIGSTOP then SIGCONT, of each service, of
 * the broker, of the state database, of primaries and of standbys, and the removal of a member's data directory.
 * Faults on an instance's members come only while it is whole (every member streaming): two overlapping losses of data
 * are more than three members can survive, and not what this shows.
 *
 * <p>At the end: every command has exactly one final answer per service that takes it (SUCCEEDED, but for switchovers,
 * which may be refused while a failover is under way, and backups beyond the namespace's hourly bound); every acknowledged write is there (read back on the primary);
 * every user whose add-user succeeded logs in; every backup restores, with the row written before it; and no sample
 * ever saw two writable members of one instance. It prints the faults by kind, the commands, the acknowledged writes and
 * the longest write outage per instance.
 *
 * <p>{@code -Dpgfleet.chaos.minutes=N}: N minutes of faults of kinds drawn at random ({@code bench/chaos.sh} runs an
 * hour); without it (the test run) each kind of fault comes once, in an order drawn from the seed (about three minutes:
 * a run of three minutes of drawn kinds missed one kind or more about one time in ten). And
 * {@code -Dpgfleet.chaos.seed} (repeats the schedule's choices; the moments depend on timing too).
 */
@Tag("drill")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosDrillIT {

    private static final Duration SLOW = StackFixture.SLOW;
    /** Minutes of faults drawn at random ({@code bench/chaos.sh}); 0 (the test run): each kind of fault once. */
    private static final int MINUTES = Integer.getInteger("pgfleet.chaos.minutes", 0);
    private static final List<InstanceKey> HA = List.of(new InstanceKey("default", "chaos-a"), new InstanceKey("default", "chaos-b"));
    private static final InstanceKey DATA = new InstanceKey("default", "chaos-data");
    private static final InstanceKey RESTORED = new InstanceKey("default", "chaos-restored");
    private static final List<String> SERVICES = List.of("provisioner", "user-manager", "backup-worker");
    private static final Map<CommandType, List<String>> TAKEN_BY = Map.of(
            CommandType.PROVISION, SERVICES,
            CommandType.SCALE, List.of("provisioner"),
            CommandType.SWITCHOVER, List.of("provisioner"),
            CommandType.DELETE, List.of("provisioner"),
            CommandType.ADD_USER, List.of("user-manager"),
            CommandType.BACKUP, List.of("backup-worker"),
            CommandType.RESTORE, List.of("backup-worker"));

    /** The kinds of fault, each drawn with the same weight. */
    enum Fault { KILL_SERVICE, STOP_SERVICE, KILL_BROKER, STOP_BROKER, KILL_STATE, STOP_STATE, KILL_PRIMARY, STOP_PRIMARY, KILL_STANDBY,
        STOP_STANDBY, REMOVE_DATA }

    /** A published command: its type, instance, and what to check after (a user's password, a backup's mark). */
    private record Published(String id, CommandType type, InstanceKey instance, String user, String password, Integer mark) {
    }

    /** One acknowledged write: its id and when its commit returned. */
    private record Ack(long id, long nanos) {
    }

    private final long seed = Long.getLong("pgfleet.chaos.seed", System.nanoTime());
    private final Random faults = new Random(seed);
    private final Random commands = new Random(seed + 1);
    private final List<String> schedule = new CopyOnWriteArrayList<>();
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private final List<Published> published = new CopyOnWriteArrayList<>();
    private final Map<InstanceKey, List<Ack>> acks = new ConcurrentHashMap<>();
    private final Map<InstanceKey, Integer> attempts = new ConcurrentHashMap<>();
    private final List<String> twoWritable = new CopyOnWriteArrayList<>();
    private final Map<InstanceKey, Integer> samples = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile BrokerProcess broker;
    private StackFixture fixture;
    private LocalStack stack;
    private long started;
    /** A write outage at least this long is listed with its moment. */
    private static final Duration LONG_OUTAGE = Duration.ofSeconds(5);

    @BeforeAll
    void start() throws Exception {
        fixture = new StackFixture("pgfleet-chaos-", (storage, port, controllerPort) -> {
            broker = BrokerProcess.start(storage, port, controllerPort);
            return broker;
        });
        stack = fixture.stack;
        System.out.println("chaos: seed " + seed + ", " + (MINUTES == 0 ? "each kind of fault once" : MINUTES + " minutes"));
    }

    @AfterAll
    void stop() {
        stopping.set(true);
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void underFaultsOfEveryKindEveryCommandIsAnsweredOnceAndNothingAcknowledgedIsLost() throws Exception {
        // The four instances the workload runs on, provisioned side by side.
        Map<InstanceKey, Postgres> setup = new LinkedHashMap<>();
        for (InstanceKey key : HA) {
            setup.put(key, document(key.name(), 3, "users:\n    owner:\n      password: owner-password\n"));
        }
        setup.put(DATA, document(DATA.name(), 1, """
                users:
                    owner:
                      password: owner-password
                  backup:
                    enabled: true
                    s3Region: us-east-1
                    s3Bucket: s3.chaos.example/backups
                    cleanupStrategy: "--keep-last=1000"
                """));
        setup.put(RESTORED, document(RESTORED.name(), 1, "users:\n    owner:\n      password: owner-password\n"));
        provisionAndWait(setup);
        sql(DATA, "app", "CREATE TABLE marks (id int PRIMARY KEY)");

        List<Thread> threads = new ArrayList<>();
        for (InstanceKey key : HA) {
            acks.put(key, Collections.synchronizedList(new ArrayList<>()));
            threads.add(new Thread(() -> write(key), "writer-" + key.name()));
            threads.add(new Thread(() -> sample(key), "sampler-" + key.name()));
        }
        threads.add(new Thread(this::publishCommands, "commands"));
        threads.forEach(Thread::start);
        started = System.nanoTime();
        long end = started + Duration.ofMinutes(MINUTES).toNanos();
        // The test run: every kind of fault once, in an order drawn from the seed; a soak: kinds drawn for its minutes.
        List<Fault> deck = new ArrayList<>(List.of(Fault.values()));
        Collections.shuffle(deck, faults);
        while (MINUTES == 0 ? !deck.isEmpty() : System.nanoTime() < end) {
            // The randomised moment of the next fault, not a wait for something to happen.
            LockSupport.parkNanos(Duration.ofMillis(3000 + faults.nextInt(9000)).toNanos());
            Fault fault = MINUTES == 0 ? deck.remove(0) : Fault.values()[faults.nextInt(Fault.values().length)];
            try {
                inject(fault);
            } catch (Exception e) {
                // e.g. a member's files changed while it was chosen: nothing was injected
                System.out.println("chaos: " + elapsed() + " " + fault + " not injected: " + e);
            }
        }
        stopping.set(true);
        for (Thread thread : threads) {
            thread.join(Duration.ofMinutes(2).toMillis());
        }
        System.out.println("chaos: faults over after " + elapsed() + "; waiting for every answer");

        List<String> problems = new ArrayList<>();
        checkAnswers(problems);
        checkWrites(problems);
        checkUsers(problems);
        checkBackups(problems);
        twoWritable.forEach(sample -> problems.add("two writable members: " + sample));
        report();
        assertThat(problems).as("chaos seed " + seed + "; schedule: " + schedule + fixture.logExcerpt(30)).isEmpty();
    }

    // ---- the workload

    private void publishCommands() {
        int n = 0;
        List<InstanceKey> scratch = new ArrayList<>();
        int replicas = 3;
        while (!stopping.get()) {
            LockSupport.parkNanos(Duration.ofMillis(1500 + commands.nextInt(3000)).toNanos());
            n++;
            int draw = commands.nextInt(12);
            try {
                if (draw < 4) {
                    InstanceKey key = HA.get(commands.nextInt(HA.size()));
                    String user = "chaos_user_" + n;
                    String password = "chaos-password-" + n;
                    publish(CommandType.ADD_USER, key, new AddUserCommand(key.name(), null, user, password, false, false,
                            Map.of("app", "readonly")), user, password, null);
                } else if (draw < 6) {
                    sql(DATA, "app", "INSERT INTO marks VALUES (" + n + ")");
                    publish(CommandType.BACKUP, DATA, new BackupCommand(DATA.name(), null), null, null, n);
                } else if (draw == 6 && succeeded(CommandType.BACKUP)) {
                    publish(CommandType.RESTORE, RESTORED, new RestoreCommand(RESTORED.name(), null, DATA.name(), null, "app"), null, null, null);
                } else if (draw == 7) {
                    InstanceKey key = new InstanceKey("default", "chaos-p" + n);
                    scratch.add(key);
                    publish(CommandType.PROVISION, key, document(key.name(), 1, "users:\n    owner:\n      password: owner-password\n"),
                            null, null, null);
                } else if (draw == 8) {
                    Optional<InstanceKey> ready = scratch.stream().filter(this::provisionAnswered).findFirst();
                    if (ready.isPresent()) {
                        scratch.remove(ready.get());
                        publish(CommandType.DELETE, ready.get(), new DeleteCommand(ready.get().name(), null), null, null, null);
                    }
                } else if (draw == 9) {
                    replicas = replicas == 3 ? 4 : 3;
                    InstanceKey key = HA.get(1);
                    publish(CommandType.SCALE, key, new ScaleCommand(key.name(), null, replicas, null, null), null, null, null);
                } else if (draw == 10) {
                    InstanceKey key = HA.get(commands.nextInt(HA.size()));
                    publish(CommandType.SWITCHOVER, key, new SwitchoverCommand(key.name(), null, null), null, null, null);
                }
            } catch (Exception e) {
                // The broker or the instance may be down at that moment: the command is not counted, the run goes on.
                System.out.println("chaos: a command was not published (" + e.getMessage() + ")");
            }
        }
    }

    private void publish(CommandType type, InstanceKey key, Object payload, String user, String password, Integer mark) {
        String id = fixture.publisher.publish(type, key, payload);
        published.add(new Published(id, type, key, user, password, mark));
    }

    private boolean succeeded(CommandType type) {
        return published.stream().anyMatch(p -> p.type() == type && fixture.feed.has(p.id(), Phase.SUCCEEDED));
    }

    private boolean provisionAnswered(InstanceKey key) {
        return published.stream().filter(p -> p.type() == CommandType.PROVISION && p.instance().equals(key))
                .allMatch(p -> SERVICES.stream().allMatch(s -> fixture.feed.forCommand(p.id()).stream()
                        .anyMatch(e -> s.equals(e.service()) && e.phase().isFinal())));
    }

    /** Inserts ids one after the other, every 20 ms, on whichever member is the primary; an id is acknowledged when its commit returns. */
    private void write(InstanceKey key) {
        long id = 0;
        Connection connection = null;
        while (!stopping.get()) {
            id++;
            attempts.merge(key, 1, Integer::sum);
            try {
                if (connection == null) {
                    connection = primary(key, "postgres", "postgres", superuserPassword(key));
                    try (Statement sql = connection.createStatement()) {
                        sql.execute("CREATE TABLE IF NOT EXISTS chaos_writes (id bigint PRIMARY KEY)");
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO chaos_writes VALUES (?)")) {
                    insert.setLong(1, id);
                    insert.executeUpdate();
                }
                acks.get(key).add(new Ack(id, System.nanoTime()));
            } catch (Exception e) {
                close(connection);
                connection = null;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the writer's pace
        }
        close(connection);
    }

    /**
     * Asks every member that runs whether it is in recovery, every 300 ms; two that say no are asked again at once, and
     * two that still say no are a violation (asked one after the other, a switchover could otherwise show its two ends).
     * Each member is asked on a session kept open (a promoted standby's sessions see it writable), opened again after
     * any error: a new session per question would be some 20 a second, each a backend and a SCRAM exchange.
     */
    private void sample(InstanceKey key) {
        Map<Integer, Connection> sessions = new HashMap<>();
        while (!stopping.get()) {
            try {
                List<Integer> writable = writable(key, ports(key).values(), sessions);
                if (writable.size() > 1) {
                    List<Integer> again = writable(key, writable, sessions);
                    if (again.size() > 1) {
                        twoWritable.add(key + " at " + elapsed() + ": ports " + again);
                        System.out.println("chaos: TWO WRITABLE members of " + key + " at " + elapsed() + ": ports " + again);
                    }
                }
                samples.merge(key, 1, Integer::sum);
            } catch (Exception e) {
                // the instance's files change under a member's removal: the next sample looks again
            }
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos()); // the sampling pace
        }
        sessions.values().forEach(ChaosDrillIT::close);
    }

    /** The members among these ports that say they are writable, each asked on a new session. */
    private List<Integer> writable(InstanceKey key, java.util.Collection<Integer> ports) throws Exception {
        Map<Integer, Connection> sessions = new HashMap<>();
        try {
            return writable(key, ports, sessions);
        } finally {
            sessions.values().forEach(ChaosDrillIT::close);
        }
    }

    private List<Integer> writable(InstanceKey key, java.util.Collection<Integer> ports, Map<Integer, Connection> sessions) throws Exception {
        String password = superuserPassword(key);
        List<Integer> writable = new ArrayList<>();
        for (int port : ports) {
            try {
                Connection session = sessions.get(port);
                if (session == null) {
                    session = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", timeouts("postgres", password, 1));
                    sessions.put(port, session);
                }
                try (Statement sql = session.createStatement(); ResultSet row = sql.executeQuery("SELECT pg_is_in_recovery()")) {
                    row.next();
                    if (!row.getBoolean(1)) {
                        writable.add(port);
                    }
                }
            } catch (SQLException e) {
                // not running, frozen, or starting: not writable; its session (if any) is opened again next time
                close(sessions.remove(port));
            }
        }
        return writable;
    }

    // ---- the faults

    private void inject(Fault fault) throws Exception {
        // When the fault began: a SIGSTOP's line is written once the processes run again, and is read beside the outages.
        String at = elapsed();
        String what = switch (fault) {
            case KILL_SERVICE, STOP_SERVICE -> {
                String service = SERVICES.get(faults.nextInt(SERVICES.size()));
                if (fault == Fault.KILL_SERVICE) {
                    fixture.faults.kill(service);
                    pause(0, 3000);
                    fixture.faults.restart(service, SLOW);
                    yield "SIGKILL to " + service + ", started again";
                }
                long held = freeze(List.of(fixture.faults.pid(service)), 2000, 20000);
                yield "SIGSTOP to " + service + " for " + held + " ms";
            }
            case KILL_BROKER -> {
                broker.kill();
                pause(0, 5000);
                fixture.faults.restartKafka();
                yield "SIGKILL to the Kafka broker, started again";
            }
            case STOP_BROKER -> "SIGSTOP to the Kafka broker for " + freeze(List.of(broker.pid()), 2000, 15000) + " ms";
            case KILL_STATE -> {
                List<Long> pids = withDescendants(stack.state().pid());
                signal("KILL", pids);
                pids.forEach(pid -> Processes.awaitExit(pid, Duration.ofSeconds(30)));
                pause(0, 3000);
                fixture.faults.restartState();
                yield "SIGKILL to the state PostgreSQL (postmaster and backends), started again";
            }
            case STOP_STATE -> "SIGSTOP to the state PostgreSQL for " + freeze(withDescendants(stack.state().pid()), 2000, 15000) + " ms";
            case KILL_PRIMARY, STOP_PRIMARY, KILL_STANDBY, STOP_STANDBY, REMOVE_DATA -> member(fault);
        };
        if (what != null) {
            injected.merge(fault, 1, Integer::sum);
            schedule.add(at + " " + what);
            System.out.println("chaos: " + at + " " + what);
        }
    }

    /** A fault on a member of a whole high-availability instance; null when neither is whole now (nothing injected). */
    private String member(Fault fault) throws Exception {
        List<InstanceKey> whole = new ArrayList<>();
        for (InstanceKey key : HA) {
            if (whole(key)) {
                whole.add(key);
            }
        }
        if (whole.isEmpty()) {
            return null;
        }
        InstanceKey key = whole.get(faults.nextInt(whole.size()));
        Map<Integer, Integer> ports = ports(key);
        List<Integer> writable = writable(key, ports.values());
        if (writable.size() != 1) {
            return null;
        }
        int primaryIndex = ports.entrySet().stream().filter(e -> e.getValue().equals(writable.get(0))).findFirst().orElseThrow().getKey();
        List<Integer> standbys = ports.keySet().stream().filter(i -> i != primaryIndex).toList();
        boolean primary = fault == Fault.KILL_PRIMARY || fault == Fault.STOP_PRIMARY || (fault == Fault.REMOVE_DATA && faults.nextBoolean());
        int index = primary ? primaryIndex : standbys.get(faults.nextInt(standbys.size()));
        String name = key.name() + "-" + index + " (" + (primary ? "primary" : "standby") + ")";
        Path data = fixture.instanceDir(key).resolve("member-" + index).resolve("data");
        long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        return switch (fault) {
            case KILL_PRIMARY, KILL_STANDBY -> {
                signal("KILL", List.of(postmaster));
                yield "SIGKILL to the postmaster of " + name;
            }
            case STOP_PRIMARY, STOP_STANDBY -> "SIGSTOP to " + name + " (postmaster and backends) for "
                    + freeze(withDescendants(postmaster), 3000, 25000) + " ms";
            default -> {
                Path lost = data.resolveSibling("data.lost-" + System.nanoTime());
                Files.move(data, lost);
                ProcessRunner.run(List.of("rm", "-rf", lost.toString()), Map.of(), Path.of("/"), Duration.ofMinutes(1));
                yield "data directory of " + name + " removed";
            }
        };
    }

    /** Every member runs and every standby streams from the primary. */
    private boolean whole(InstanceKey key) throws Exception {
        Map<Integer, Integer> ports = ports(key);
        List<Integer> writable = writable(key, ports.values());
        if (writable.size() != 1) {
            return false;
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + writable.get(0) + "/postgres",
                timeouts("postgres", superuserPassword(key), 2));
             Statement sql = c.createStatement();
             ResultSet row = sql.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
            row.next();
            return row.getInt(1) == ports.size() - 1;
        } catch (SQLException e) {
            return false;
        }
    }

    /** SIGSTOP, a random while, SIGCONT (to whichever of the processes still exist); returns how long they were held. */
    private long freeze(List<Long> pids, int least, int most) {
        signal("STOP", pids);
        long held = pause(least, most);
        signal("CONT", pids);
        return held;
    }

    private long pause(int least, int most) {
        long millis = least + faults.nextInt(most - least + 1);
        LockSupport.parkNanos(Duration.ofMillis(millis).toNanos()); // how long the fault lasts, drawn from the seed
        return millis;
    }

    private static void signal(String signal, List<Long> pids) {
        List<String> argv = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> argv.add(Long.toString(pid)));
        ProcessRunner.run(argv, Map.of(), Path.of("/"), Duration.ofSeconds(30));
    }

    private static List<Long> withDescendants(long pid) {
        List<Long> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    // ---- the checks at the end

    private void checkAnswers(List<String> problems) {
        Set<String> open = new HashSet<>();
        try {
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                open.clear();
                for (Published p : published) {
                    for (String service : TAKEN_BY.get(p.type())) {
                        if (fixture.events(p.id()).stream().noneMatch(e -> service.equals(e.service()) && e.phase().isFinal())) {
                            open.add(p.type().id() + " " + p.id() + " (" + p.instance() + ") from " + service);
                        }
                    }
                }
                return open.isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            problems.add("no final answer after 10 minutes: " + open);
        }
        for (Published p : published) {
            List<StatusEvent> events = fixture.events(p.id());
            for (String service : TAKEN_BY.get(p.type())) {
                List<StatusEvent> finals = events.stream().filter(e -> service.equals(e.service()) && e.phase().isFinal()).toList();
                if (finals.size() > 1) {
                    problems.add(p.type().id() + " " + p.id() + " answered " + finals.size() + " times by " + service + ": " + finals);
                } else if (finals.size() == 1 && finals.get(0).phase() != Phase.SUCCEEDED && !mayBeRefused(p, finals.get(0))) {
                    problems.add(p.type().id() + " " + p.id() + " (" + p.instance() + ") " + finals.get(0).phase() + " from " + service + ": "
                            + finals.get(0).message());
                }
            }
        }
    }

    /**
     * An answer other than SUCCEEDED that is right: a switchover refused while a failover or repair is under way, and an
     * on-demand backup beyond the namespace's hourly bound (pgfleet.limits.namespace-backups-per-hour, which a soak reaches).
     */
    private static boolean mayBeRefused(Published command, StatusEvent answer) {
        return command.type() == CommandType.SWITCHOVER
                || command.type() == CommandType.BACKUP && answer.phase() == Phase.REJECTED && String.valueOf(answer.errors()).contains(
                "on-demand backups in the last hour");
    }

    private void checkWrites(List<String> problems) throws Exception {
        for (InstanceKey key : HA) {
            Set<Long> present = new HashSet<>();
            await().atMost(SLOW).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                present.clear();
                try (Connection c = primary(key, "postgres", "postgres", superuserPassword(key)); Statement sql = c.createStatement();
                     ResultSet rows = sql.executeQuery("SELECT id FROM chaos_writes")) {
                    while (rows.next()) {
                        present.add(rows.getLong(1));
                    }
                }
            });
            List<Long> lost = acks.get(key).stream().map(Ack::id).filter(id -> !present.contains(id)).toList();
            if (!lost.isEmpty()) {
                problems.add(key + ": " + lost.size() + " acknowledged writes lost, e.g. " + lost.subList(0, Math.min(10, lost.size())));
            }
        }
    }

    private void checkUsers(List<String> problems) {
        for (Published p : published) {
            if (p.type() == CommandType.ADD_USER && fixture.feed.has(p.id(), Phase.SUCCEEDED)) {
                try (Connection c = primary(p.instance(), p.user(), "app", p.password()); Statement sql = c.createStatement();
                     ResultSet row = sql.executeQuery("SELECT current_user")) {
                    row.next();
                    if (!p.user().equals(row.getString(1))) {
                        problems.add(p.user() + " logs in as " + row.getString(1));
                    }
                } catch (Exception e) {
                    problems.add(p.user() + " of " + p.instance() + " does not log in: " + e.getMessage());
                }
            }
        }
    }

    /** Every backup that succeeded is restored into the scratch instance, and holds the row written just before it. */
    private void checkBackups(List<String> problems) throws Exception {
        for (Published p : published) {
            if (p.type() != CommandType.BACKUP || !fixture.feed.has(p.id(), Phase.SUCCEEDED)) {
                continue;
            }
            String backupId = String.valueOf(fixture.events(p.id()).stream().filter(e -> e.phase() == Phase.SUCCEEDED).findFirst().orElseThrow()
                    .details().get("backupId"));
            String restore = fixture.publisher.publish(CommandType.RESTORE, RESTORED,
                    new RestoreCommand(RESTORED.name(), null, DATA.name(), backupId, "app"));
            StatusEvent done = fixture.feed.awaitFinal(restore, "backup-worker", SLOW);
            if (done.phase() != Phase.SUCCEEDED) {
                problems.add("backup " + backupId + " does not restore: " + done.message());
                continue;
            }
            String found = sql(RESTORED, "app", "SELECT count(*) FROM marks WHERE id = " + p.mark());
            if (!"1".equals(found)) {
                problems.add("backup " + backupId + " restored without the row " + p.mark() + " written before it");
            }
        }
    }

    private void report() {
        System.out.println("chaos: seed " + seed + ", " + (MINUTES == 0 ? "each kind of fault once" : MINUTES + " minutes of faults") + ", "
                + schedule.size() + " faults");
        System.out.println("chaos: faults by kind: " + injected);
        Map<String, Map<Phase, Long>> byType = new TreeMap<>();
        for (Published p : published) {
            for (String service : TAKEN_BY.get(p.type())) {
                fixture.events(p.id()).stream().filter(e -> service.equals(e.service()) && e.phase().isFinal()).findFirst()
                        .ifPresent(e -> byType.computeIfAbsent(p.type().id(), t -> new TreeMap<>()).merge(e.phase(), 1L, Long::sum));
            }
        }
        System.out.println("chaos: commands published " + published.size() + "; final answers by type (one per service that takes it): " + byType);
        for (InstanceKey key : HA) {
            List<Ack> list = List.copyOf(acks.get(key));
            long longest = 0;
            List<String> outages = new ArrayList<>();
            for (int i = 1; i < list.size(); i++) {
                long gap = (list.get(i).nanos() - list.get(i - 1).nanos()) / 1_000_000;
                longest = Math.max(longest, gap);
                if (gap >= LONG_OUTAGE.toMillis()) {
                    outages.add(gap + " ms from " + elapsed(list.get(i - 1).nanos()));
                }
            }
            System.out.println("chaos: " + key + ": " + list.size() + " acknowledged writes of " + attempts.getOrDefault(key, 0)
                    + " attempts, longest write outage " + longest + " ms, " + samples.getOrDefault(key, 0) + " samples of its members, "
                    + twoWritable.stream().filter(s -> s.startsWith(key.toString())).count() + " with two writable");
            // To be read beside the schedule: which faults (or faults together) cost the writes longest.
            System.out.println("chaos: " + key + ": write outages of " + LONG_OUTAGE.toSeconds() + " s or more: " + outages);
        }
        System.out.println("chaos: schedule:");
        schedule.forEach(line -> System.out.println("  " + line));
    }

    // ---- helpers

    private String elapsed() {
        return elapsed(System.nanoTime());
    }

    /** A moment of the drill as minutes:seconds.millis since its faults began. */
    private String elapsed(long nanos) {
        long millis = (nanos - started) / 1_000_000;
        return String.format("%d:%02d.%03d", millis / 60_000, millis / 1000 % 60, millis % 1000);
    }

    /** Publishes every provision at once, then waits until each service answered each of them SUCCEEDED. */
    private void provisionAndWait(Map<InstanceKey, Postgres> documents) {
        Map<InstanceKey, String> ids = new LinkedHashMap<>();
        documents.forEach((key, doc) -> ids.put(key, fixture.publisher.publish(CommandType.PROVISION, key, doc)));
        ids.forEach((key, id) -> {
            for (String service : SERVICES) {
                assertThat(fixture.feed.awaitFinal(id, service, SLOW).phase()).as(key + " from " + service + ": " + fixture.feed.forCommand(id))
                        .isEqualTo(Phase.SUCCEEDED);
            }
        });
    }

    private static Postgres document(String name, int replicas, String more) {
        try {
            return PayloadReader.fromText("""
                    apiVersion: apps.cozystack.io/v1alpha1
                    kind: Postgres
                    metadata:
                      name: %s
                    spec:
                      replicas: %d
                    %s  databases:
                        app:
                          roles:
                            admin: [owner]
                      %s""".formatted(name, replicas, replicas > 1 ? "  quorum:\n    minSyncReplicas: 1\n    maxSyncReplicas: 2\n" : "", more),
                    Postgres.class).value();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Member index → port, as the local driver records them. */
    private Map<Integer, Integer> ports(InstanceKey key) throws Exception {
        Map<String, Integer> recorded = Json.mapper().readValue(fixture.instanceDir(key).resolve("members.json").toFile(),
                new TypeReference<Map<String, Integer>>() { });
        Map<Integer, Integer> ports = new TreeMap<>();
        recorded.forEach((index, port) -> ports.put(Integer.parseInt(index), port));
        return ports;
    }

    private String superuserPassword(InstanceKey key) throws Exception {
        return Files.readString(fixture.instanceDir(key).resolve("superuser.password")).strip();
    }

    /** A connection to whichever member is the primary (every member listed, as {@code pgfleet connect} does). */
    private Connection primary(InstanceKey key, String user, String database, String password) throws Exception {
        String hosts = ports(key).values().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
        Properties properties = timeouts(user, password, 3);
        properties.setProperty("targetServerType", "primary");
        return DriverManager.getConnection("jdbc:postgresql://" + hosts + "/" + database, properties);
    }

    private static Properties timeouts(String user, String password, int seconds) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", Integer.toString(seconds));
        properties.setProperty("socketTimeout", Integer.toString(seconds + 2));
        properties.setProperty("loginTimeout", Integer.toString(seconds + 2));
        return properties;
    }

    /** One statement as the instance's superuser on its primary; the first column of the first row, if any. */
    private String sql(InstanceKey key, String database, String statement) throws Exception {
        try (Connection c = primary(key, "postgres", database, superuserPassword(key)); Statement sql = c.createStatement()) {
            if (!sql.execute(statement)) {
                return null;
            }
            try (ResultSet row = sql.getResultSet()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private static void close(Connection connection) {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            // already broken
        }
    }
}
