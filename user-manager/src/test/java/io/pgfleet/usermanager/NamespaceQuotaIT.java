package io.pgfleet.usermanager;

import static io.pgfleet.testkit.Sql.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.servers.PostgresServer;
import io.pgfleet.testkit.ServiceFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;

/**
 * Per-namespace quotas give one command one answer from every service that takes it, although each service counts
 * nothing of its own: two services with their own state (schema, consumer group) and different limits of their own, one of
 * them reading the namespace's commands only after the other answered them all, answer every command alike — the first
 * to decide it recorded the decision in the ledger the services share in their state database. No instance runs here:
 * the answers are the intake's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NamespaceQuotaIT {

    private static final Duration SLOW = Duration.ofMinutes(2);
    private static final String FIRST = "user-manager";
    private static final String LATE = "user-manager-late";

    private ServiceFixture fixture;

    @BeforeAll
    void start() {
        fixture = new ServiceFixture(FIRST);
        fixture.start(Map.of("pgfleet.limits.namespace-instances", 2, "pgfleet.limits.namespace-users", 3));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    @Order(1)
    void aServiceThatReadsTheNamespacesCommandsLaterAnswersEachAsTheFirstDidWhateverItsOwnLimits() throws Exception {
        // the tenant asks for more than its namespace may hold: 4 instances (2 allowed), then users beyond 3
        Map<String, String> ids = new LinkedHashMap<>();
        for (String name : List.of("one", "two", "three", "four")) {
            ids.put(name, provision("quota-a", name, "u_" + name));
        }
        Map<String, StatusEvent> first = new LinkedHashMap<>(answers(ids, FIRST));
        // Each provision's key is its own instance, so the four may be taken in any order: any two are admitted.
        List<String> admitted = new ArrayList<>();
        first.forEach((name, answer) -> {
            if (answer.phase() == Phase.ACCEPTED) {
                admitted.add(name);
            }
        });
        assertThat(admitted).as(first.toString()).hasSize(2);
        for (String refused : ids.keySet().stream().filter(name -> !admitted.contains(name)).toList()) {
            assertThat(first.get(refused).phase()).isEqualTo(Phase.REJECTED);
            assertThat(first.get(refused).errors()).singleElement().satisfies(error -> {
                assertThat(error.path()).isEqualTo("metadata.name");
                assertThat(error.message()).contains("namespace 'quota-a' has 2 instances", "pgfleet.limits.namespace-instances");
            });
        }
        // (add-user commands come on a topic of their own: published once the provisions are answered, they count after them)
        Map<String, String> addUsers = new LinkedHashMap<>();
        addUsers.put("add-2", addUser("quota-a", admitted.get(0), "extra_a"));
        addUsers.put("add-3", addUser("quota-a", admitted.get(0), "extra_b"));
        first.putAll(answers(addUsers, FIRST));
        ids.putAll(addUsers);

        assertThat(first.get("add-2").phase()).as(String.valueOf(first.get("add-2"))).isEqualTo(Phase.ACCEPTED);
        assertThat(first.get("add-3").phase()).isEqualTo(Phase.REJECTED);
        assertThat(first.get("add-3").errors()).extracting(FieldError::path).containsExactly("name");
        assertThat(first.get("add-3").errors().get(0).message()).contains("4 users", "at most 3 (pgfleet.limits.namespace-users)");

        // a second service, its own state and consumer group, no bound of its own, reads the same commands now
        io.micronaut.runtime.server.EmbeddedServer second = fixture.start(Map.of("pgfleet.service-name", LATE, "pgfleet.db.schema", "late", "pgfleet.kafka.group-id", fixture.groupId + "-late",
                "pgfleet.jobs.instance-id", fixture.groupId + "-late", "pgfleet.limits.namespace-instances", 0,
                "pgfleet.limits.namespace-users", 0));
        Map<String, StatusEvent> late = answers(ids, LATE);
        for (String command : ids.keySet()) {
            assertThat(late.get(command).phase()).as(command).isEqualTo(first.get(command).phase());
            assertThat(late.get(command).errors()).as(command).isEqualTo(first.get(command).errors());
        }
        // what the ledger holds: two instances, three users; the refused commands changed nothing
        try (Connection state = DriverManager.getConnection(fixture.state.jdbcUrl("postgres"), PostgresServer.SUPERUSER, fixture.state.password())) {
            assertThat(count(state, "SELECT count(*) FROM pgfleet_quota.usage WHERE namespace = 'quota-a'")).isEqualTo(2);
            assertThat(count(state, "SELECT sum(cardinality(users)) FROM pgfleet_quota.usage WHERE namespace = 'quota-a'")).isEqualTo(3);
        }
        second.getApplicationContext().close();
    }

    @Test
    @Order(2)
    void twoServicesTakingANamespacesCommandsAtOnceAdmitNoMoreThanItsLimitAndAgreeOnEach() {
        fixture.start(Map.of("pgfleet.service-name", "user-manager-twin", "pgfleet.db.schema", "twin",
                "pgfleet.kafka.group-id", fixture.groupId + "-twin", "pgfleet.jobs.instance-id", fixture.groupId + "-twin",
                "pgfleet.limits.namespace-instances", 2, "pgfleet.limits.namespace-users", 3));
        Map<String, String> ids = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
            ids.put("r" + i, provision("quota-b", "r" + i, "u" + i));
        }
        Map<String, StatusEvent> first = answers(ids, FIRST);
        Map<String, StatusEvent> twin = answers(ids, "user-manager-twin");

        List<String> accepted = new ArrayList<>();
        first.forEach((name, answer) -> {
            assertThat(twin.get(name).phase()).as(name).isEqualTo(answer.phase());
            if (answer.phase() == Phase.ACCEPTED) {
                accepted.add(name);
            }
        });
        assertThat(accepted).hasSize(2);
        // another namespace is not held to this one's count
        String other = provision("quota-c", "elsewhere", "someone");
        assertThat(answers(Map.of("elsewhere", other), FIRST).get("elsewhere").phase()).isEqualTo(Phase.ACCEPTED);
    }

    private String provision(String namespace, String name, String user) {
        Postgres document = PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  replicas: 1
                  users:
                    %s: {}
                  databases:
                    app: {}
                """.formatted(name, namespace, user), Postgres.class).value();
        return fixture.publisher.publish(CommandType.PROVISION, new InstanceKey(namespace, name), document);
    }

    private String addUser(String namespace, String instance, String user) {
        return fixture.publisher.publish(CommandType.ADD_USER, new InstanceKey(namespace, instance),
                new AddUserCommand(instance, namespace, user, null, null, null, null));
    }

    /** Each command's answer (ACCEPTED or REJECTED) from one service. */
    private Map<String, StatusEvent> answers(Map<String, String> ids, String service) {
        Map<String, StatusEvent> answers = new LinkedHashMap<>();
        ids.forEach((name, id) -> answers.put(name, fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && service.equals(e.service())
                        && (e.phase() == Phase.ACCEPTED || e.phase() == Phase.REJECTED), SLOW,
                () -> "no answer to " + name + " from " + service + ": " + fixture.feed.forCommand(id))));
        return answers;
    }
}
