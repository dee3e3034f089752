package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.testkit.CommandPublisher;
import io.pgfleet.testkit.StatusFeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Kafka broker and then the services' state database are restarted in the middle of a stream
 * of 199 add-user commands (with the document's owner, the 200 users an instance may have): every command is answered, exactly once, and every user exists.
 */
@Tag("drill")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutageIT {

    private static final Duration SLOW = StackFixture.SLOW;
    private static final InstanceKey KEY = new InstanceKey("default", "outage");
    private static final int COMMANDS = 199;

    private StackFixture fixture;
    private LocalStack stack;
    private CommandPublisher publisher;
    private StatusFeed feed;

    @BeforeAll
    void start() throws Exception {
        fixture = new StackFixture("pgfleet-outage-");
        stack = fixture.stack;
        publisher = fixture.publisher;
        feed = fixture.feed;
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
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
        fixture.faults.restartKafka(); // while the first commands are being carried out
        publish(ids, 70, 140);
        fixture.faults.restartState(); // every connection of the three services breaks
        publish(ids, 140, COMMANDS);

        for (String id : ids) {
            feed.awaitFinal(id, "user-manager", SLOW);
        }
        for (String id : ids) {
            // Deduplicated on ce_id, as consumers must: the relay may publish an event again across the broker's restart.
            List<StatusEvent> events = fixture.events(id);
            assertThat(events.stream().filter(e -> e.phase().isFinal())).as(id + ": " + events).singleElement()
                    .extracting(StatusEvent::phase).isEqualTo(Phase.SUCCEEDED);
            assertThat(events.stream().filter(e -> e.phase() == Phase.ACCEPTED)).as(id).hasSize(1);
        }
        // Checked with psql, not through pgfleet: every user exists and logs in.
        String count = fixture.psql(KEY, "owner", "owner-password", "app", "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'outage\\_user\\_%'");
        assertThat(count).isEqualTo(Integer.toString(COMMANDS));
        String last = "outage_user_" + (COMMANDS - 1);
        assertThat(fixture.psql(KEY, last, "outage-password-" + (COMMANDS - 1), "app", "SELECT current_user")).isEqualTo(last);
    }

    private void publish(List<String> ids, int from, int to) {
        for (int n = from; n < to; n++) {
            ids.add(publisher.publish(CommandType.ADD_USER, KEY, new AddUserCommand(KEY.name(), null, "outage_user_" + n,
                    "outage-password-" + n, false, false, Map.of("app", "readonly"))));
        }
    }
}
