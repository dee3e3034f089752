package io.pgfleet.usermanager;

import static io.pgfleet.testkit.Sql.count;
import static io.pgfleet.testkit.Sql.exec;
import static io.pgfleet.testkit.Sql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.runtime.credentials.ScramVerifier;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.testkit.ServiceFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reference's high-availability example's users and databases (levels {@code app} and
 * {@code monitoring}) on a real server, and password verifiers checked against the server's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessLevelsIT {

    private static final Duration SLOW = Duration.ofMinutes(3);
    private static final InstanceKey KEY = new InstanceKey("tenant-a", "postgres-ha");

    private ServiceFixture fixture;
    private Endpoint endpoint;

    @BeforeAll
    void start() {
        fixture = new ServiceFixture("user-manager");
        fixture.start(Map.of());
        Postgres ha = ReferenceExamples.documents().stream().map(b -> PayloadReader.fromText(b.text(), Postgres.class).value())
                .filter(doc -> doc.metadata().name().equals("postgres-ha")).findFirst().orElseThrow();
        // One member is enough for access: replicas have the same catalog.
        fixture.track(KEY);
        ClusterSpec single = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0);
        await().atMost(SLOW).until(() -> fixture.driver().apply(KEY, single).outcome() == Step.Outcome.DONE);
        endpoint = fixture.driver().primary(KEY).orElseThrow();

        String id = fixture.publisher.publish(CommandType.PROVISION, KEY, ha);
        StatusEvent done = fixture.feed.awaitFinal(id, "user-manager", SLOW);
        assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void anAppMemberReadsAndWritesDataButChangesNoSchema() throws Exception {
        try (Connection admin = login("admin", "very-secure-password"); Connection app = login("app_user", "app-password")) {
            exec(admin, "CREATE TABLE public.items (id serial PRIMARY KEY, name text)");
            exec(admin, "CREATE SCHEMA billing");
            exec(admin, "CREATE TABLE billing.invoices (id serial PRIMARY KEY, total numeric)");

            exec(app, "INSERT INTO public.items (name) VALUES ('a'), ('b')");
            exec(app, "UPDATE public.items SET name = 'c' WHERE name = 'b'");
            exec(app, "DELETE FROM public.items WHERE name = 'a'");
            exec(app, "INSERT INTO billing.invoices (total) VALUES (12.5)"); // uses the sequence too
            assertThat(count(app, "SELECT count(*) FROM public.items")).isEqualTo(1);
            assertThat(count(app, "SELECT count(*) FROM billing.invoices")).isEqualTo(1);

            assertThatThrownBy(() -> exec(app, "CREATE TABLE public.mine (id int)")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> exec(app, "CREATE TABLE billing.mine (id int)")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> exec(app, "ALTER TABLE public.items ADD COLUMN x int")).hasMessageContaining("must be owner");
            assertThatThrownBy(() -> exec(app, "DROP TABLE billing.invoices")).hasMessageContaining("must be owner");
        }
    }

    @Test
    void aMonitoringMemberSeesStatisticsButNoData() throws Exception {
        try (Connection admin = login("admin", "very-secure-password")) {
            exec(admin, "CREATE TABLE public.secrets (id int, note text)");
            exec(admin, "INSERT INTO public.secrets VALUES (1, 'payroll')");
        }
        try (Connection monitoring = login("monitoring_user", "monitoring-password");
             Connection app = login("app_user", "app-password")) {
            // pg_monitor: other sessions' queries are visible, not "<insufficient privilege>".
            exec(app, "SELECT 'visible to monitoring'");
            await().atMost(Duration.ofSeconds(30)).until(() -> count(monitoring,
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app_user' AND query LIKE '%visible to monitoring%'") == 1);
            assertThat(count(monitoring, "SELECT count(*) FROM pg_stat_statements")).isPositive();
            assertThat(count(monitoring, "SELECT count(*) FROM pg_stat_replication")).isZero();
            assertThatThrownBy(() -> count(monitoring, "SELECT count(*) FROM public.secrets")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> exec(monitoring, "CREATE TABLE public.mine (id int)")).hasMessageContaining("permission denied");
        }
    }

    @Test
    void theExtensionsOfTheExampleAreInProduction() throws Exception {
        try (Connection admin = login("admin", "very-secure-password")) {
            assertThat(count(admin, "SELECT count(*) FROM pg_extension WHERE extname IN ('hstore', 'pg_stat_statements', 'pg_trgm', 'btree_gin')"))
                    .isEqualTo(4);
        }
    }

    @Test
    void verifiersRecogniseThePasswordsThatPostgresqlItselfHashed() throws Exception {
        List<String> passwords = List.of("simple", "it's a \"quote\" \\ back $$ dollar", "ünïcødé", "ｆｕｌｌｗｉｄｔｈ", "non\u00A0breaking");
        try (Connection superuser = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password())) {
            for (int i = 0; i < passwords.size(); i++) {
                String role = "hashed_by_server_" + i;
                exec(superuser, "SET password_encryption = 'scram-sha-256'");
                exec(superuser, "CREATE ROLE " + role + " LOGIN PASSWORD '" + passwords.get(i).replace("'", "''") + "'");
                String stored = text(superuser, "SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'");
                assertThat(ScramVerifier.matches(passwords.get(i), stored)).as(passwords.get(i)).isTrue();
                assertThat(ScramVerifier.matches(passwords.get(i) + "x", stored)).isFalse();
                // once a match is remembered, a wrong password is still refused
                assertThat(ScramVerifier.matches(passwords.get(i), stored)).isTrue();
                assertThat(ScramVerifier.matches("wrong", stored)).isFalse();

                String ours = ScramVerifier.of(passwords.get(i));
                exec(superuser, "ALTER ROLE " + role + " PASSWORD '" + ours + "'");
                DriverManager.getConnection(endpoint.jdbcUrl("postgres"), role, passwords.get(i)).close();
            }
        }
    }

    private Connection login(String user, String password) throws SQLException {
        return DriverManager.getConnection(endpoint.jdbcUrl("production"), user, password);
    }


}
