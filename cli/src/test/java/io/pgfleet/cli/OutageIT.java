package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.local.CommandResult;
import io.pgfleet.runtime.local.LoopbackPorts;
import io.pgfleet.runtime.local.ProcessRunner;
import io.pgfleet.testkit.CommandPublisher;
import io.pgfleet.testkit.StatusFeed;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Kafka broker and then the services' state database are restarted in the middle of a stream
 * of 200 add-user commands: every command is answered, exactly once, and every user exists.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutageIT {

    private static final Duration SLOW = Duration.ofMinutes(5);
    private static final InstanceKey KEY = new InstanceKey("default", "outage");
    private static final int COMMANDS = 200;

    private final Path home = Path.of(System.getProperty("pgfleet.home")).toAbsolutePath().normalize();
    private Path dataDir;
    private LocalStack stack;
    private CommandPublisher publisher;
    private StatusFeed feed;

    @BeforeAll
    void start() throws Exception {
        dataDir = Files.createTempDirectory("pgfleet-outage-");
        stack = new LocalStack(home, dataDir, LocalStack.Ports.from(LoopbackPorts.freeBlock(7)), new PrintWriter(System.out, true));
        stack.start(SLOW);
        Map<CommandType, String> topics = new EnumMap<>(CommandType.class);
        for (CommandType type : CommandType.values()) {
            topics.put(type, type.defaultTopic());
        }
        publisher = new CommandPublisher(stack.kafka(), topics);
        feed = new StatusFeed(stack.kafka(), StatusEvent.DEFAULT_TOPIC);
    }

    @AfterAll
    void stop() throws Exception {
        if (feed != null) {
            feed.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (stack != null) {
            stack.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Test
    void commandsPublishedAroundABrokerAndADatabaseRestartAreAllAnsweredOnce() throws Exception {
        Postgres doc = PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: outage
                spec:
                  replicas: 1
                  users:
                    owner:
                      password: owner-password
                  databases:
                    app:
                      roles:
                        admin: [owner]
                """, Postgres.class).value();
        String provision = publisher.publish(CommandType.PROVISION, KEY, doc);
        for (String service : List.of("provisioner", "user-manager", "backup-worker")) {
            assertThat(feed.awaitFinal(provision, service, SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        }

        List<String> ids = new ArrayList<>();
        publish(ids, 0, 70);
        stack.restartKafka(); // while the first commands are being carried out
        publish(ids, 70, 140);
        stack.restartState(); // every connection of the three services breaks
        publish(ids, 140, COMMANDS);

        for (String id : ids) {
            feed.awaitFinal(id, "user-manager", SLOW);
        }
        for (String id : ids) {
            List<StatusEvent> finals = feed.forCommand(id).stream().filter(e -> e.phase().isFinal()).toList();
            assertThat(finals).as(id + ": " + feed.forCommand(id)).singleElement().extracting(StatusEvent::phase).isEqualTo(Phase.SUCCEEDED);
            assertThat(feed.forCommand(id).stream().filter(e -> e.phase() == Phase.ACCEPTED)).as(id).hasSize(1);
        }
        // Checked with psql, not through pgfleet: every user exists and logs in.
        String count = psql("owner", "owner-password", "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'outage\\_user\\_%'");
        assertThat(count).isEqualTo(Integer.toString(COMMANDS));
        assertThat(psql("outage_user_199", "outage-password-199", "SELECT current_user")).isEqualTo("outage_user_199");
    }

    private void publish(List<String> ids, int from, int to) {
        for (int n = from; n < to; n++) {
            ids.add(publisher.publish(CommandType.ADD_USER, KEY, new AddUserCommand(KEY.name(), null, "outage_user_" + n,
                    "outage-password-" + n, false, false, Map.of("app", "readonly"))));
        }
    }

    private String psql(String user, String password, String statement) throws Exception {
        int port = Files.readAllLines(instanceDir().resolve("member-1/data/postmaster.pid")).stream().skip(3).findFirst()
                .map(String::trim).map(Integer::parseInt).orElseThrow();
        CommandResult result = ProcessRunner.run(List.of("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", user, "-d", "app", "-c", statement), Map.of("PGPASSWORD", password), dataDir, Duration.ofMinutes(1));
        assertThat(result.ok()).as(result.output()).isTrue();
        return result.output().strip();
    }

    private Path instanceDir() throws Exception {
        try (Stream<Path> classes = Files.list(dataDir.resolve("clusters"))) {
            return classes.map(c -> c.resolve(KEY.namespace()).resolve(KEY.name())).filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }
}
