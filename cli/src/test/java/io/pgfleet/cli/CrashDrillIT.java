package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.command.VerifyCommand;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Metadata;
import io.pgfleet.events.postgres.Pooler;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.testkit.CommandPublisher;
import io.pgfleet.testkit.Restic;
import io.pgfleet.testkit.StatusFeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Crash drill: the local stack with its services as OS processes of their own, each killed with
 * SIGKILL at randomised moments while it carries out provision (the reference's complete and HA
 * examples, then more instances), add-user, backup and restore commands, and started again. Then:
 * every command has exactly one final answer per service that takes it, and it is SUCCEEDED; the HA
 * instance has exactly its five members, streaming; every user logs in (psql); every row written
 * before a backup is there after the restores; every backup is in the catalog once and in the
 * restic repository as one whole set (checked with the restic CLI).
 *
 * <p>{@code -Dpgfleet.drill.kills=N} kills per command type (default 3 in the test run; the full drill,
 * {@code bench/crash-drill.sh}, uses 10). {@code -Dpgfleet.drill.seed} repeats a run's moments.
 */
@Tag("drill")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashDrillIT {

    private static final Duration SLOW = StackFixture.SLOW;
    private static final int KILLS = Integer.getInteger("pgfleet.drill.kills", 3);
    private static final InstanceKey COMPLETE = new InstanceKey("default", "postgres-complete");
    private static final InstanceKey HA = new InstanceKey("default", "postgres-ha");
    private static final Map<CommandType, Set<String>> TAKEN_BY = Map.of(
            CommandType.PROVISION, Set.of("provisioner", "user-manager", "backup-worker"),
            CommandType.ADD_USER, Set.of("user-manager"),
            CommandType.BACKUP, Set.of("backup-worker"),
            CommandType.RESTORE, Set.of("backup-worker"),
            CommandType.VERIFY, Set.of("backup-worker"));

    private final long seed = Long.getLong("pgfleet.drill.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final List<String> killLog = new ArrayList<>();
    private final Map<String, CommandType> published = new LinkedHashMap<>();
    private final Map<CommandType, Integer> kills = new EnumMap<>(CommandType.class);
    private StackFixture fixture;
    private LocalStack stack;
    private CommandPublisher publisher;
    private StatusFeed feed;

    @BeforeAll
    void start() throws Exception {
        fixture = new StackFixture("pgfleet-drill-");
        stack = fixture.stack;
        publisher = fixture.publisher;
        feed = fixture.feed;
        System.out.println("crash drill: seed " + seed + ", " + KILLS + " kills per command type");
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void everyCommandEndsOnceAndNothingIsLostWhenServicesAreKilled() throws Exception {
        // provision: the complete example, rows in it, the HA example, then more instances until enough kills
        Postgres complete = example("postgres-complete");
        drill(CommandType.PROVISION, List.of("provisioner", "user-manager", "backup-worker"), 6000, 1,
                () -> publisher.publish(CommandType.PROVISION, COMPLETE, complete));
        fixture.psql(COMPLETE, "admin", "secure-admin-password", "myapp", "CREATE TABLE drill_rows (id int PRIMARY KEY, note text)");
        Postgres ha = example("postgres-ha");
        drill(CommandType.PROVISION, List.of("provisioner", "provisioner", "user-manager"), 9000, 1,
                () -> publisher.publish(CommandType.PROVISION, HA, ha));
        // The HA example enables backups without credentials: in the local stack it backs up as published.
        String haBackup = publisher.publish(CommandType.BACKUP, HA, new BackupCommand(HA.name(), null));
        published.put(haBackup, CommandType.BACKUP);
        assertThat(feed.awaitFinal(haBackup, "backup-worker", SLOW).phase()).as(String.valueOf(feed.forCommand(haBackup)))
                .isEqualTo(Phase.SUCCEEDED);
        List<InstanceKey> pooled = new ArrayList<>();
        for (int n = 1; kills(CommandType.PROVISION) < KILLS; n++) {
            InstanceKey key = new InstanceKey("default", "drill-" + n);
            Postgres minimal = example("postgres-minimal");
            // with pgfleet's pooler section: a provisioner killed while it makes, configures or starts the pools too
            PostgresSpec spec = minimal.spec();
            Postgres renamed = new Postgres(minimal.apiVersion(), minimal.kind(), new Metadata(key.name(), null), new PostgresSpec(spec.external(),
                    spec.size(), spec.replicas(), spec.storageClass(), spec.postgresql(), spec.quorum(), spec.users(), spec.databases(), spec.backup(),
                    new Pooler(true, Pooler.TRANSACTION, null, null, true)));
            pooled.add(key);
            drill(CommandType.PROVISION, List.of("provisioner", "provisioner", "user-manager"), 4000, 1,
                    () -> publisher.publish(CommandType.PROVISION, key, renamed));
        }

        // add-user on the complete example's instance, ten at a time (one takes a few tens of milliseconds)
        Map<String, String> users = new TreeMap<>();
        int[] next = {1};
        while (kills(CommandType.ADD_USER) < KILLS) {
            drill(CommandType.ADD_USER, List.of("user-manager"), 1500, 10, () -> {
                String name = "drill_user_" + next[0]++;
                users.put(name, "drill-password-" + name);
                return publisher.publish(CommandType.ADD_USER, COMPLETE,
                        new AddUserCommand(COMPLETE.name(), null, name, users.get(name), false, false, Map.of("myapp", "readonly")));
            });
        }

        // backup, a row written before each
        int rows = 0;
        int backups = 0;
        while (kills(CommandType.BACKUP) < KILLS) {
            rows++;
            fixture.psql(COMPLETE, "admin", "secure-admin-password", "myapp", "INSERT INTO drill_rows VALUES (" + rows + ", 'before backup " + rows + "')");
            drill(CommandType.BACKUP, List.of("backup-worker"), 3000, 1, () -> publisher.publish(CommandType.BACKUP, COMPLETE,
                    new BackupCommand(COMPLETE.name(), null)));
            backups++;
        }

        // restore of myapp from the latest backup, with a row written after it that the restore takes away
        while (kills(CommandType.RESTORE) < KILLS) {
            fixture.psql(COMPLETE, "admin", "secure-admin-password", "myapp", "INSERT INTO drill_rows VALUES (100000, 'after the last backup')");
            drill(CommandType.RESTORE, List.of("backup-worker"), 3000, 1, () -> publisher.publish(CommandType.RESTORE, COMPLETE,
                    new RestoreCommand(COMPLETE.name(), null, null, null, "myapp")));
        }

        // restore drills with the defaults (the newest restorable time: the instance archives its WAL): a worker killed
        // mid-drill leaves no scratch server once its successor runs
        while (kills(CommandType.VERIFY) < KILLS) {
            drill(CommandType.VERIFY, List.of("backup-worker"), 4000, 1, () -> publisher.publish(CommandType.VERIFY, COMPLETE,
                    new VerifyCommand(COMPLETE.name(), null, null)));
        }
        Path drills = fixture.dataDir.resolve("clusters").resolve(".drills");
        await().atMost(Duration.ofMinutes(2)).until(() -> scratchServers(drills).isEmpty());

        System.out.println("crash drill: seed " + seed + "; kills (command type, service, moment after publishing):");
        killLog.forEach(line -> System.out.println("  " + line));

        // Every command: exactly one final answer per service that takes it, SUCCEEDED. A relay killed between Kafka's
        // acknowledgement and marking the row may publish an event again: consumers dedupe on ce_id, and so does this check.
        for (Map.Entry<String, CommandType> command : published.entrySet()) {
            List<StatusEvent> events = fixture.events(command.getKey());
            for (String service : TAKEN_BY.get(command.getValue())) {
                List<StatusEvent> finals = events.stream().filter(e -> service.equals(e.service()) && e.phase().isFinal()).toList();
                assertThat(finals).as(command.getValue().id() + " " + command.getKey() + " from " + service + ": " + events)
                        .singleElement().extracting(StatusEvent::phase).isEqualTo(Phase.SUCCEEDED);
            }
        }

        // Each pool of the drill's instances: one PgBouncer, the one its pid file names, whatever the kills interrupted.
        for (InstanceKey key : pooled) {
            for (String pool : List.of("rw", "ro")) {
                Path ini = fixture.instanceDir(key).resolve("pooler-" + pool).resolve("pgbouncer.ini");
                List<ProcessHandle> running = ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                        .map(a -> List.of(a).contains(ini.toString())).orElse(false) && p.info().command().orElse("").endsWith("pgbouncer")).toList();
                assertThat(running).as(key + " " + pool).hasSize(1);
                assertThat(Files.readString(ini.resolveSibling("pgbouncer.pid")).strip()).isEqualTo(Long.toString(running.get(0).pid()));
            }
        }
        // The HA instance has its five members, four streaming; the data of the complete example is all there.
        assertThat(memberDirectories(HA)).hasSize(5);
        assertThat(fixture.psql(HA, "postgres", null, "postgres", "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"))
                .isEqualTo("4");
        assertThat(fixture.psql(COMPLETE, "admin", "secure-admin-password", "myapp", "SELECT count(*) FROM drill_rows")).isEqualTo(Integer.toString(rows));
        assertThat(fixture.psql(COMPLETE, "app_user", "app-password", "myapp", "SELECT max(id) FROM drill_rows")).isEqualTo(Integer.toString(rows));
        assertThat(fixture.psql(COMPLETE, "admin", "secure-admin-password", "analytics", "SELECT count(*) FROM pg_extension WHERE extname = 'hstore'"))
                .isEqualTo("1");
        for (Map.Entry<String, String> user : users.entrySet()) {
            assertThat(fixture.psql(COMPLETE, user.getKey(), user.getValue(), "myapp", "SELECT count(*) FROM drill_rows")).isEqualTo(Integer.toString(rows));
        }

        // Every backup once in the catalog, and in the repository as whole sets only.
        try (Connection state = stack.state().connect("pgfleet"); Statement sql = state.createStatement();
             ResultSet runs = sql.executeQuery("SELECT count(*), count(DISTINCT command_id), min(repository) FROM backup_worker.backup_run "
                     + "WHERE instance = '" + COMPLETE + "' AND trigger = 'on-demand' AND status = 'SUCCEEDED'")) {
            runs.next();
            assertThat(runs.getInt(1)).isEqualTo(backups);
            assertThat(runs.getInt(2)).isEqualTo(backups);
            Restic restic = new Restic(runs.getString(3), Map.of("AWS_ACCESS_KEY_ID", "your-s3-access-key",
                    "AWS_SECRET_ACCESS_KEY", "your-s3-secret-key", "RESTIC_PASSWORD", "your-restic-password"));
            JsonNode snapshots = Json.mapper().readTree(restic.run(fixture.dataDir, "snapshots", "--json").output());
            Map<String, List<String>> byBackup = new HashMap<>();
            for (JsonNode snapshot : snapshots) {
                String backup = null;
                boolean manifest = false;
                for (JsonNode tag : snapshot.path("tags")) {
                    backup = tag.asText().startsWith("backup=") ? tag.asText().substring(7) : backup;
                    manifest |= tag.asText().equals("manifest");
                }
                byBackup.computeIfAbsent(backup, b -> new ArrayList<>()).add(manifest ? "manifest" : snapshot.path("paths").get(0).asText());
            }
            assertThat(byBackup).isNotEmpty();
            byBackup.forEach((backup, files) -> {
                assertThat(files).as("backup " + backup + ": " + files).filteredOn("manifest"::equals).hasSize(1);
                assertThat(files).as("backup " + backup + ": " + files).doesNotHaveDuplicates();
            });
        }
    }

    /**
     * Publishes a batch of commands of a type and, while some are under way, kills one of the victims at a random
     * moment (up to {@code maxMomentMillis} after publishing, or after the last restart) and starts it again, at most
     * twice; then waits for every answer.
     */
    private void drill(CommandType type, List<String> victims, long maxMomentMillis, int batch, Supplier<String> publish) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            String id = publish.get();
            published.put(id, type);
            ids.add(id);
        }
        long start = System.nanoTime();
        // At most two kills per batch: a command killed again every time it restarts would never finish.
        for (int kill = 0; kill < 2 && !ids.stream().allMatch(id -> answered(id, type)); kill++) {
            long moment = (long) (random.nextDouble() * maxMomentMillis);
            // The randomised moment of the kill, not a wait for something to happen.
            LockSupport.parkNanos(Duration.ofMillis(moment).toNanos());
            if (ids.stream().allMatch(id -> answered(id, type))) {
                break;
            }
            String victim = victims.get(random.nextInt(victims.size()));
            long at = Duration.ofNanos(System.nanoTime() - start).toMillis();
            long open = ids.stream().filter(id -> !answered(id, type)).count();
            fixture.faults.kill(victim);
            kills.merge(type, 1, Integer::sum);
            killLog.add(type.id() + " (" + open + " of " + batch + " unanswered): SIGKILL to " + victim + " " + at + " ms after publishing");
            System.out.println("crash drill: " + killLog.get(killLog.size() - 1));
            fixture.faults.restart(victim, SLOW);
            start = System.nanoTime();
        }
        for (String id : ids) {
            for (String service : TAKEN_BY.get(type)) {
                StatusEvent done;
                try {
                    done = feed.awaitFinal(id, service, SLOW);
                } catch (AssertionError e) {
                    // What the run's output must tell when CI has nothing else: the seed, the kills, what the services logged.
                    throw new AssertionError("crash drill seed " + seed + "; kills: " + killLog + "\n" + e.getMessage() + fixture.logExcerpt(40), e);
                }
                assertThat(done.phase()).as(type.id() + " from " + service + ": " + feed.forCommand(id)).isEqualTo(Phase.SUCCEEDED);
            }
        }
    }

    /** The restore drills' scratch servers on the stack's machine (the local driver's {@code <data root>/.drills}). */
    private static List<Path> scratchServers(Path drills) throws Exception {
        if (!Files.isDirectory(drills)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(drills)) {
            return entries.toList();
        }
    }

    private int kills(CommandType type) {
        return kills.getOrDefault(type, 0);
    }

    private boolean answered(String id, CommandType type) {
        return TAKEN_BY.get(type).stream().allMatch(service -> feed.forCommand(id).stream()
                .anyMatch(e -> service.equals(e.service()) && e.phase().isFinal()));
    }

    private Postgres example(String name) throws Exception {
        Path file = Path.of(System.getProperty("pgfleet.home")).resolve("examples").resolve(name + ".yaml");
        return PayloadReader.fromText(Files.readString(file), Postgres.class).value();
    }

    private List<Path> memberDirectories(InstanceKey key) throws Exception {
        try (Stream<Path> members = Files.list(fixture.instanceDir(key))) {
            return members.filter(p -> p.getFileName().toString().startsWith("member-")).toList();
        }
    }
}
