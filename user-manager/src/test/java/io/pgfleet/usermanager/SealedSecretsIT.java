package io.pgfleet.usermanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.secrets.FleetKey;
import io.pgfleet.testkit.KafkaRecords;
import io.pgfleet.testkit.LogCapture;
import io.pgfleet.testkit.ServiceFixture;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sealed secrets end to end: a publisher seals every password with the public key the service publishes; the clear
 * values appear in no topic, dead letter, log line or state row, and the users log in with them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SealedSecretsIT {

    private static final Duration SLOW = Duration.ofMinutes(3);
    private static final InstanceKey SHOP = new InstanceKey("tenant-a", "sealed-shop");
    private static final String ALICE = "alice-clear-" + System.nanoTime();
    private static final String BOB = "bob-clear-" + System.nanoTime();

    private ServiceFixture fixture;
    private EmbeddedServer userManager;
    private FleetKey published;

    @BeforeAll
    void start() throws Exception {
        LogCapture.text();
        fixture = new ServiceFixture("user-manager");
        Path key = Files.createTempDirectory("fleet-key-").resolve("fleet.pem");
        FleetKey.createIfAbsent(key);
        userManager = fixture.start(Map.of("pgfleet.secrets.key-file", key.toString(), "pgfleet.secrets.require-sealed", "true"));
        // A publisher takes the key the service publishes, as any client would.
        try (HttpClient http = HttpClient.create(new URL("http://127.0.0.1:" + userManager.getPort()))) {
            String jwks = http.toBlocking().retrieve("/fleet/keys");
            String jwk = jwks.substring(jwks.indexOf('[') + 1, jwks.lastIndexOf(']'));
            published = FleetKey.ofPublic(jwk);
            // Management endpoints that reveal configuration are not open; health is.
            for (String path : List.of("/env", "/beans", "/loggers", "/routes")) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.toBlocking().retrieve(path)).as(path)
                        .isInstanceOf(io.micronaut.http.client.exceptions.HttpClientResponseException.class)
                        .satisfies(e -> assertThat(((io.micronaut.http.client.exceptions.HttpClientResponseException) e).getStatus().getCode())
                                .isIn(401, 403, 404));
            }
            assertThat(http.toBlocking().exchange("/health", String.class).getStatus().getCode()).isEqualTo(200);
        }
        fixture.track(SHOP);
        await().atMost(SLOW).until(() -> fixture.driver().apply(SHOP, new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0)).outcome()
                == Step.Outcome.DONE);
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    private Postgres doc(String alicePassword) {
        return PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: sealed-shop
                spec:
                  users:
                    alice:
                      password: "%s"
                  databases:
                    shop:
                      roles:
                        admin: [alice]
                """.formatted(alicePassword), Postgres.class).value();
    }

    @Test
    void sealedPasswordsWorkAndNoClearValueGoesAnywhereWhileMovedOrClearOnesAreRejected() throws Exception {
        String provision = fixture.publisher.publish(CommandType.PROVISION, SHOP, doc(published.seal(ALICE, SHOP)));
        StatusEvent done = fixture.feed.awaitFinal(provision, "user-manager", SLOW);
        assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(provision))).isEqualTo(Phase.SUCCEEDED);
        String addUser = fixture.publisher.publish(CommandType.ADD_USER, SHOP, new AddUserCommand(SHOP.name(), SHOP.namespace(), "bob",
                published.seal(BOB, SHOP), null, null, Map.of("shop", "readonly")));
        assertThat(fixture.feed.awaitFinal(addUser, "user-manager", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        Endpoint primary = fixture.driver().primary(SHOP).orElseThrow();
        try (Connection alice = DriverManager.getConnection(primary.jdbcUrl("shop"), "alice", ALICE);
             Connection bob = DriverManager.getConnection(primary.jdbcUrl("shop"), "bob", BOB)) {
            assertThat(alice.isValid(5) && bob.isValid(5)).isTrue();
        }

        // A value sealed for sealed-shop, moved into another instance's command: refused on its field, not revealed.
        InstanceKey other = new InstanceKey("tenant-a", "other-shop");
        String moved = fixture.publisher.publish(CommandType.ADD_USER, other, new AddUserCommand(other.name(), other.namespace(), "eve",
                published.seal(BOB, SHOP), null, null, null));
        StatusEvent refused = fixture.feed.awaitFinal(moved, "user-manager", SLOW);
        assertThat(refused.phase()).isEqualTo(Phase.REJECTED);
        assertThat(refused.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("password");
            assertThat(error.message()).contains("is sealed for instance 'tenant-a/sealed-shop', not for tenant-a/other-shop");
        });
        // With require-sealed, a clear password is refused on its path.
        String clear = "clear-password-" + System.nanoTime();
        String clearId = fixture.publisher.publish(CommandType.PROVISION, SHOP, doc(clear));
        StatusEvent notSealed = fixture.feed.awaitFinal(clearId, "user-manager", SLOW);
        assertThat(notSealed.phase()).isEqualTo(Phase.REJECTED);
        assertThat(notSealed.errors()).extracting(e -> e.path()).containsExactly("spec.users.alice.password");

        // The command topics as Kafka keeps them, the status topic, the log and every state row: no clear value.
        StringBuilder seen = new StringBuilder();
        for (CommandType type : List.of(CommandType.PROVISION, CommandType.ADD_USER)) {
            KafkaRecords.readAll(fixture.kafka, fixture.publisher.topic(type), 1)
                    .forEach(r -> seen.append(new String(r.value(), StandardCharsets.UTF_8)).append('\n'));
        }
        fixture.feed.all().forEach(r -> seen.append(r.rawValue()).append('\n'));
        seen.append(LogCapture.text());
        try (Connection c = fixture.state.connect("postgres"); Statement sql = c.createStatement()) {
            for (String table : List.of("access", "job", "handled_command", "outbox")) {
                try (ResultSet rows = sql.executeQuery("SELECT t::text FROM user_manager." + table + " t")) {
                    while (rows.next()) {
                        seen.append(rows.getString(1)).append('\n');
                    }
                }
            }
        }
        assertThat(seen.toString()).contains("alice", "eyJ").doesNotContain(ALICE, BOB);
    }
}
