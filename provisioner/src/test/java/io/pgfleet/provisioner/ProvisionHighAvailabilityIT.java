package io.pgfleet.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micronaut.http.client.HttpClient;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.DeleteCommand;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.Quorum;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The reference's high-availability example, provisioned, scaled and re-quorumed through the real broker. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProvisionHighAvailabilityIT extends RunningProvisionerIT {

    private static final Duration SLOW = Duration.ofMinutes(4);
    private static final InstanceKey HA = new InstanceKey("tenant-a", "postgres-ha");



    private Postgres haExample() {
        return PayloadReader.fromText(ReferenceExamples.documents().get(2).text(), Postgres.class).value();
    }

    @Test
    @Order(1)
    void theHighAvailabilityExampleBecomesAFiveMemberQuorumCluster() throws Exception {
        fixture.track(HA);
        String id = fixture.publisher.publish(CommandType.PROVISION, HA, haExample());

        StatusEvent last = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        List<StatusEvent> events = fixture.feed.forCommand(id);
        assertThat(last.phase()).as(events.stream().map(ProvisionerFixture::brief).toList().toString()).isEqualTo(Phase.SUCCEEDED);
        assertThat(events.get(0).phase()).isEqualTo(Phase.ACCEPTED);
        assertThat(events).filteredOn(e -> e.phase() == Phase.PROGRESSING).extracting(StatusEvent::step)
                .anyMatch(step -> step.endsWith("4 of 4 replicas created"));
        assertThat(events).allSatisfy(e -> assertThat(e.instance()).isEqualTo("tenant-a/postgres-ha"));

        try (Connection connection = connect(HA); Statement sql = connection.createStatement()) {
            List<String> replication = new ArrayList<>();
            try (ResultSet rows = sql.executeQuery("SELECT application_name, state, sync_state FROM pg_stat_replication ORDER BY 1")) {
                while (rows.next()) {
                    replication.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
                }
            }
            // ANY 3 of the 4 standbys: each is a quorum standby.
            assertThat(replication).containsExactly("postgres-ha-2 streaming quorum", "postgres-ha-3 streaming quorum",
                    "postgres-ha-4 streaming quorum", "postgres-ha-5 streaming quorum");
            assertThat(show(sql, "synchronous_standby_names"))
                    .isEqualTo("ANY 3 (\"postgres-ha-2\", \"postgres-ha-3\", \"postgres-ha-4\", \"postgres-ha-5\")");
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("max_connections", "500");
            expected.put("shared_buffers", "512MB");
            expected.put("effective_cache_size", "2GB");
            expected.put("wal_buffers", "16MB");
            expected.put("checkpoint_completion_target", "0.9");
            expected.put("wal_writer_delay", "200ms");
            expected.put("default_statistics_target", "100");
            expected.put("random_page_cost", "1.1");
            expected.put("effective_io_concurrency", "200");
            expected.put("shared_preload_libraries", "pg_stat_statements");
            expected.put("listen_addresses", "127.0.0.1," + ProvisionerFixture.EXTERNAL_ADDRESS);
            for (Map.Entry<String, String> setting : expected.entrySet()) {
                assertThat(show(sql, setting.getKey())).as(setting.getKey()).isEqualTo(setting.getValue());
            }
        }
        // external: reachable on the external address too.
        Endpoint primary = driver.primary(HA).orElseThrow();
        try (Connection external = DriverManager.getConnection("jdbc:postgresql://" + ProvisionerFixture.EXTERNAL_ADDRESS + ":"
                + primary.port() + "/postgres", primary.user(), primary.password())) {
            assertThat(external.isValid(5)).isTrue();
        }

        try (HttpClient http = HttpClient.create(provisioner.getURL())) {
            String view = http.toBlocking().retrieve(io.micronaut.http.HttpRequest.GET("/instances/tenant-a/postgres-ha")
                    .bearerAuth(fixture.platformToken()));
            assertThat(view).contains("\"phase\":\"READY\"", "\"replicas\":5", "postgres-ha-5", "\"role\":\"primary\"");
            assertThat(view).doesNotContain(primary.password());
            assertThat(view).containsPattern("\"usedBytes\":[1-9][0-9]{6,}").contains("\"size\":\"100Gi\"");
            String health = http.toBlocking().retrieve("/health");
            assertThat(health).contains("\"status\":\"UP\"").contains("jdbc").contains("kafka");
            String metrics = http.toBlocking().retrieve("/prometheus");
            assertThat(metrics).contains("hikaricp_connections").contains("jvm_memory_used_bytes");
        }
    }

    @Test
    @Order(2)
    void scalingDownUpAndChangingTheQuorumEndSucceeded() throws Exception {
        // 5 -> 3 needs a smaller quorum in the same command (max must stay below replicas).
        scale(new ScaleCommand("postgres-ha", "tenant-a", 3, null, new Quorum(1, 2)));
        assertMembers(3, "ANY 2 (\"postgres-ha-2\", \"postgres-ha-3\")");
        scale(new ScaleCommand("postgres-ha", "tenant-a", 4, null, null));
        assertMembers(4, "ANY 2 (\"postgres-ha-2\", \"postgres-ha-3\", \"postgres-ha-4\")");
        scale(new ScaleCommand("postgres-ha", "tenant-a", null, null, new Quorum(2, 3)));
        assertMembers(4, "ANY 3 (\"postgres-ha-2\", \"postgres-ha-3\", \"postgres-ha-4\")");
    }

    @Test
    @Order(3)
    void aScaleThatWouldBreakTheQuorumRuleIsRejectedAndChangesNothing() throws Exception {
        String id = fixture.publisher.publish(CommandType.SCALE, HA, new ScaleCommand("postgres-ha", "tenant-a", 3, null, null));
        StatusEvent last = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        assertThat(last.phase()).isEqualTo(Phase.REJECTED);
        assertThat(last.errors()).extracting(e -> e.path() + ": " + e.message())
                .containsExactly("replicas: must stay greater than quorum.maxSyncReplicas (3), got 3");
        assertThat(fixture.feed.forCommand(id)).hasSize(1);
        assertMembers(4, "ANY 3 (\"postgres-ha-2\", \"postgres-ha-3\", \"postgres-ha-4\")");

        String invalid = fixture.publisher.publish(CommandType.SCALE, HA, new ScaleCommand("postgres-ha", "tenant-a", 2, null, new Quorum(0, 2)));
        assertThat(fixture.feed.awaitFinal(invalid, "provisioner", SLOW).errors()).extracting(e -> e.path())
                .containsExactly("quorum.maxSyncReplicas");
        assertThat(driver.observe(HA).members()).hasSize(4);
    }

    @Test
    @Order(4)
    void aDocumentsPoolerSectionIsCarriedOutKeptByAScaleAndRemovedByALaterDocumentWithoutIt() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "postgres-pooled");
        fixture.track(key);
        String pooled = """
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: postgres-pooled
                spec:
                  replicas: 2
                  postgresql:
                    parameters:
                      max_connections: 50
                  pooler:
                    enabled: true
                    mode: transaction
                    defaultPoolSize: 10
                    readOnly: true
                """;
        String id = fixture.publisher.publish(CommandType.PROVISION, key, PayloadReader.fromText(pooled, Postgres.class).value());
        StatusEvent done = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        assertThat(done.phase()).as(fixture.feed.forCommand(id).stream().map(ProvisionerFixture::brief).toList().toString()).isEqualTo(Phase.SUCCEEDED);
        assertThat(driver.observe(key).poolers()).extracting(p -> p.pool() + " " + p.state()).containsExactly("rw running", "ro running");
        assertThat(driver.observe(key).ready()).isTrue();
        // Each pool's use, from PgBouncer's console, on the provisioner's metrics and in its instance view.
        try (HttpClient http = HttpClient.create(provisioner.getURL())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(http.toBlocking().retrieve("/prometheus"))
                    .contains("pgfleet_pooler_servers_idle{pgfleet_instance=\"tenant-a/postgres-pooled\",pool=\"rw\"}",
                            "pgfleet_pooler_clients_waiting{pgfleet_instance=\"tenant-a/postgres-pooled\",pool=\"ro\"}",
                            "pgfleet_pooler_max_wait_seconds{pgfleet_instance=\"tenant-a/postgres-pooled\",pool=\"rw\"}"));
            String view = http.toBlocking().retrieve(io.micronaut.http.HttpRequest.GET("/instances/tenant-a/postgres-pooled")
                    .bearerAuth(fixture.platformToken()));
            assertThat(view).contains("\"poolers\":[{\"pool\":\"rw\"", "\"state\":\"running\"", "\"clientsWaiting\":0");
        }

        // A PgBouncer killed (SIGKILL): the health monitor sees the pool stopped, says so, and its repair starts it again.
        Path rw = fixture.dataRoot.resolve("replicated/tenant-a/postgres-pooled/pooler-rw");
        long killed = Long.parseLong(Files.readString(rw.resolve("pgbouncer.pid")).strip());
        ProcessHandle.of(killed).orElseThrow().destroyForcibly();
        StatusEvent degraded = fixture.feed.awaitEvent(e -> e.commandId() == null && e.phase() == Phase.DEGRADED
                && e.instance().equals("tenant-a/postgres-pooled"), Duration.ofMinutes(1), () -> "no DEGRADED event");
        assertThat(degraded.reason()).isEqualTo("InstanceDegraded");
        assertThat(degraded.message()).contains("pooler rw is stopped");
        fixture.feed.awaitEvent(e -> e.commandId() == null && e.phase() == Phase.READY && e.instance().equals("tenant-a/postgres-pooled"),
                Duration.ofMinutes(1), () -> "no READY event: " + fixture.feed.forInstance("tenant-a/postgres-pooled"));
        assertThat(driver.observe(key).poolers()).extracting(p -> p.pool() + " " + p.state()).containsExactly("rw running", "ro running");
        assertThat(Long.parseLong(Files.readString(rw.resolve("pgbouncer.pid")).strip())).isNotEqualTo(killed);

        String scale = fixture.publisher.publish(CommandType.SCALE, key, new ScaleCommand("postgres-pooled", null, 2, null, null));
        assertThat(fixture.feed.awaitFinal(scale, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(driver.observe(key).poolers()).extracting(p -> p.pool() + " " + p.state()).containsExactly("rw running", "ro running");

        String without = fixture.publisher.publish(CommandType.PROVISION, key,
                PayloadReader.fromText(pooled.substring(0, pooled.indexOf("  pooler:")), Postgres.class).value());
        assertThat(fixture.feed.awaitFinal(without, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(driver.observe(key).poolers()).isEmpty();
        assertThat(fixture.dataRoot.resolve("replicated/tenant-a/postgres-pooled/pooler-rw")).doesNotExist();

        String delete = fixture.publisher.publish(CommandType.DELETE, key, new DeleteCommand("postgres-pooled", "tenant-a"));
        assertThat(fixture.feed.awaitFinal(delete, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
    }

    @Test
    @Order(5)
    void theSameCommandDeliveredTwiceHasOneEffect() {
        InstanceKey key = new InstanceKey("tenant-a", "postgres-twice");
        fixture.track(key);
        Postgres doc = PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: postgres-twice
                spec:
                  replicas: 2
                """, Postgres.class).value();
        String id = "provision-twice-" + System.nanoTime();
        fixture.publisher.publish(CommandType.PROVISION, key, doc, id, null);
        fixture.publisher.publish(CommandType.PROVISION, key, doc, id, null);
        assertThat(fixture.feed.awaitFinal(id, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        // Give a second effect every chance to show: the redelivery is handled once the consumer is past it.
        String marker = fixture.publisher.publish(CommandType.SCALE, key, new ScaleCommand("postgres-twice", null, 2, null, null));
        fixture.feed.awaitFinal(marker, "provisioner", SLOW);
        assertThat(fixture.feed.forCommand(id)).filteredOn(e -> e.phase() == Phase.ACCEPTED).hasSize(1);
        assertThat(fixture.feed.forCommand(id)).filteredOn(e -> e.phase() == Phase.SUCCEEDED).hasSize(1);
        assertThat(driver.observe(key).members()).extracting(Member::name).containsExactly("postgres-twice-1", "postgres-twice-2");

        String delete = fixture.publisher.publish(CommandType.DELETE, key, new DeleteCommand("postgres-twice", "tenant-a"));
        assertThat(fixture.feed.awaitFinal(delete, "provisioner", SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(driver.observe(key).exists()).isFalse();
        assertThat(fixture.dataRoot.resolve("replicated/tenant-a/postgres-twice")).doesNotExist();
    }

    @Test
    @Order(6)
    void aSwitchoverMovesThePrimaryWithNoAcknowledgedWriteLostAndTheOldPrimaryFollows() throws Exception {
        Endpoint old = driver.primary(HA).orElseThrow();
        try (Connection connection = connect(HA); Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE before_switch AS SELECT generate_series(1, 500) AS id");
        }
        for (String wrong : List.of("postgres-ha-1", "postgres-ha-9", "other-2")) {
            String id = fixture.publisher.publish(CommandType.SWITCHOVER, HA, new io.pgfleet.events.command.SwitchoverCommand("postgres-ha", "tenant-a", wrong));
            StatusEvent answer = fixture.feed.awaitFinal(id, "provisioner", SLOW);
            assertThat(answer.phase()).as(wrong).isEqualTo(Phase.REJECTED);
            assertThat(answer.errors()).extracting(e -> e.path()).as(wrong).containsExactly("to");
        }

        String id = fixture.publisher.publish(CommandType.SWITCHOVER, HA, new io.pgfleet.events.command.SwitchoverCommand("postgres-ha", "tenant-a",
                "postgres-ha-3"));
        StatusEvent done = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        assertThat(done.phase()).as(fixture.feed.forCommand(id).stream().map(ProvisionerFixture::brief).toList().toString()).isEqualTo(Phase.SUCCEEDED);
        assertThat(done.reason()).isEqualTo("SwitchoverCompleted");
        assertThat(done.details()).containsEntry("primaryMember", "postgres-ha-3");
        // Told also as observed events (the command's own answer comes first, in the same transaction).
        fixture.feed.awaitEvent(e -> e.commandId() == null && "SwitchoverCompleted".equals(e.reason()), SLOW, () -> "no SwitchoverCompleted");
        assertThat(fixture.feed.forInstance("tenant-a/postgres-ha")).filteredOn(e -> e.commandId() == null).extracting(StatusEvent::reason)
                .containsSubsequence("SwitchoverStarted", "SwitchoverCompleted");

        Endpoint now = driver.primary(HA).orElseThrow();
        assertThat(now.port()).isNotEqualTo(old.port());
        assertThat(psql(now, "SELECT pg_is_in_recovery()::text || ' ' || count(*) FROM before_switch")).isEqualTo("false 500");
        assertThat(psql(new Endpoint(old.host(), old.port(), old.user(), old.password(), old.caFile()), "SELECT pg_is_in_recovery()")).isEqualTo("t");
        Observation observed = driver.observe(HA);
        assertThat(observed.ready()).as(observed.message()).isTrue();
        assertThat(observed.members().get(0).name()).isEqualTo("postgres-ha-3");
        assertThat(psql(now, "SHOW synchronous_standby_names")).contains("\"postgres-ha-1\"").doesNotContain("postgres-ha-3");
    }

    /** One value, as psql prints it (an independent client). */
    private static String psql(Endpoint endpoint, String query) {
        return io.pgfleet.host.ProcessRunner.check(List.of("psql", "-h", endpoint.host(), "-p", Integer.toString(endpoint.port()), "-U",
                endpoint.user(), "-d", "postgres", "-qAtc", query), Map.of("PGPASSWORD", endpoint.password()), java.nio.file.Path.of("/"),
                Duration.ofMinutes(1)).output().strip();
    }

    private void scale(ScaleCommand scale) {
        String id = fixture.publisher.publish(CommandType.SCALE, HA, scale);
        StatusEvent last = fixture.feed.awaitFinal(id, "provisioner", SLOW);
        assertThat(last.phase()).as(fixture.feed.forCommand(id).stream().map(ProvisionerFixture::brief).toList().toString())
                .isEqualTo(Phase.SUCCEEDED);
    }

    private void assertMembers(int members, String standbyNames) throws Exception {
        Observation observed = driver.observe(HA);
        assertThat(observed.ready()).as(observed.message()).isTrue();
        assertThat(observed.members()).hasSize(members);
        assertThat(observed.members()).filteredOn(m -> m.role().equals("replica")).allSatisfy(m -> assertThat(m.state()).isEqualTo("streaming"));
        try (Connection connection = connect(HA); Statement sql = connection.createStatement()) {
            assertThat(show(sql, "synchronous_standby_names")).isEqualTo(standbyNames);
            try (ResultSet rows = sql.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(members - 1);
            }
        }
    }

    private Connection connect(InstanceKey key) throws Exception {
        Endpoint primary = driver.primary(key).orElseThrow();
        return DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
    }

    private static String show(Statement sql, String name) throws Exception {
        try (ResultSet rows = sql.executeQuery("SHOW " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

}
