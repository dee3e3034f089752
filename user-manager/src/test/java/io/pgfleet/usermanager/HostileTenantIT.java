package io.pgfleet.usermanager;

import static io.pgfleet.testkit.Sql.count;
import static io.pgfleet.testkit.Sql.exec;
import static io.pgfleet.testkit.Sql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.runtime.credentials.ScramVerifier;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.testkit.ServiceFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A tenant attacks the user-manager with only what a tenant has: {@code mallory}, an admin member of its database
 * {@code shop} (not a superuser; the fleet refuses superusers), and psql. Each attack plants something in its own
 * database, then makes the user-manager open new connections to it (connections are never kept here) and read or
 * change the catalogue; afterwards nothing planted ran in pgfleet's session and mallory is no superuser.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileTenantIT {

    private static final Duration SLOW = Duration.ofMinutes(3);
    private static final InstanceKey KEY = new InstanceKey("tenant-a", "hostile");
    private static final String DOCUMENT = """
            apiVersion: apps.cozystack.io/v1alpha1
            kind: Postgres
            metadata:
              name: hostile
            spec:
              replicas: 1
              users:
                mallory:
                  password: mallory-password
              databases:
                shop:
                  roles:
                    admin:
                      - mallory
            """;
    /**
     * The body every planted object runs: it records who ran it and tries to make mallory a superuser (which only works
     * when the one running it is a superuser, i.e. pgfleet's session).
     */
    private static final String PAYLOAD = """
            BEGIN
              INSERT INTO public.ran VALUES (session_user, %s);
              BEGIN
                EXECUTE 'ALTER ROLE mallory SUPERUSER';
              EXCEPTION WHEN insufficient_privilege THEN NULL;
              END;
              %s
            END""";

    private ServiceFixture fixture;
    private io.micronaut.runtime.server.EmbeddedServer server;
    private Endpoint endpoint;

    @BeforeAll
    void start() {
        fixture = new ServiceFixture("user-manager");
        // no superusers for tenants, and no connection kept: each command's reads open new ones, after the plant
        server = fixture.start(Map.of("pgfleet.policy.allow-superusers", false, "pgfleet.user-manager.connection-idle", "0s",
                "pgfleet.limits.max-users", 3));
        fixture.track(KEY);
        ClusterSpec single = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0);
        await().atMost(SLOW).until(() -> fixture.driver().apply(KEY, single).outcome() == Step.Outcome.DONE);
        endpoint = fixture.driver().primary(KEY).orElseThrow();
        assertThat(provision().phase()).isEqualTo(Phase.SUCCEEDED);
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @BeforeEach
    void clean() throws SQLException {
        try (Connection superuser = superuser("shop")) {
            exec(superuser, "ALTER ROLE mallory NOSUPERUSER");
            exec(superuser, "DROP SCHEMA IF EXISTS public CASCADE");
            exec(superuser, "CREATE SCHEMA public AUTHORIZATION pg_database_owner");
            exec(superuser, "ALTER DATABASE shop RESET ALL");
            exec(superuser, "ALTER ROLE mallory IN DATABASE shop RESET search_path");
            exec(superuser, "CREATE TABLE public.ran (who text, what text)");
            exec(superuser, "GRANT INSERT, SELECT ON public.ran TO PUBLIC");
        }
    }

    @Test
    void aFunctionShadowingTheCatalogueRunsOnlyForTheTenant() throws Exception {
        plant("ALTER DATABASE shop SET search_path = public, pg_catalog",
                "CREATE FUNCTION public.pg_get_userbyid(oid) RETURNS name LANGUAGE plpgsql AS $f$"
                        + PAYLOAD.formatted("'function'", "RETURN pg_catalog.pg_get_userbyid($1);") + "$f$");
        assertNothingEscalatedAfterAnAddUser("reader1");
    }

    @Test
    void anOperatorShadowingTheCatalogueRunsOnlyForTheTenant() throws Exception {
        plant("ALTER DATABASE shop SET search_path = public, pg_catalog",
                "CREATE FUNCTION public.ne(name, name) RETURNS boolean LANGUAGE plpgsql AS $f$"
                        + PAYLOAD.formatted("'operator'", "RETURN $1 OPERATOR(pg_catalog.<>) $2;") + "$f$",
                "CREATE OPERATOR public.<> (LEFTARG = name, RIGHTARG = name, FUNCTION = public.ne)",
                "CREATE FUNCTION public.textne(text, text) RETURNS boolean LANGUAGE plpgsql AS $f$"
                        + PAYLOAD.formatted("'operator'", "RETURN $1 OPERATOR(pg_catalog.<>) $2;") + "$f$",
                "CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.textne)");
        assertNothingEscalatedAfterAnAddUser("reader2");
    }

    @Test
    void aViewShadowingACatalogueTableRunsOnlyForTheTenant() throws Exception {
        plant("ALTER DATABASE shop SET search_path = public, pg_catalog",
                "CREATE FUNCTION public.yes() RETURNS boolean LANGUAGE plpgsql AS $f$" + PAYLOAD.formatted("'view'", "RETURN true;") + "$f$",
                "CREATE VIEW public.pg_extension AS SELECT * FROM pg_catalog.pg_extension WHERE public.yes()",
                "CREATE VIEW public.pg_namespace AS SELECT * FROM pg_catalog.pg_namespace WHERE public.yes()");
        assertNothingEscalatedAfterAnAddUser("reader3");
    }

    @Test
    void aRoleSettingOfTheTenantsOwnReachesNoPgfleetSession() throws Exception {
        // What a tenant can set for roles: its own (ALTER ROLE ... SET on pgfleet's superuser is refused to it).
        plant("SET ROLE NONE", "ALTER ROLE mallory IN DATABASE shop SET search_path = public, pg_catalog",
                "CREATE FUNCTION public.pg_get_userbyid(oid) RETURNS name LANGUAGE plpgsql AS $f$"
                        + PAYLOAD.formatted("'role setting'", "RETURN pg_catalog.pg_get_userbyid($1);") + "$f$",
                "CREATE FUNCTION public.grab() RETURNS event_trigger LANGUAGE plpgsql AS $f$"
                        + PAYLOAD.formatted("'event trigger'", "") + "$f$");
        try (Connection mallory = mallory()) {
            exec(mallory, "SET ROLE NONE"); // its sessions act as shop_admin; mallory itself tries too
            assertThat(refused(mallory, "ALTER ROLE " + endpoint.user() + " SET search_path = public")).isTrue();
            assertThat(refused(mallory, "ALTER ROLE " + endpoint.user() + " IN DATABASE shop SET search_path = public")).isTrue();
            assertThat(refused(mallory, "CREATE EVENT TRIGGER grab ON ddl_command_end EXECUTE FUNCTION public.grab()")).isTrue();
        }
        assertNothingEscalatedAfterAnAddUser("reader4");
    }

    @Test
    void aVerifierWithTooManyRoundsIsReplacedNotComputed() throws Exception {
        // A role may set its own verifier. One of 2^31-1 rounds would keep a worker busy for hours (and the server too:
        // passwordcheck computes it once); 10^6 rounds of the document's own password show the same without the wait:
        // the user-manager never computes it, so it cannot tell it matches, and sets its own verifier again.
        String rounds = ScramVerifier.of("mallory-password", "0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 1_000_000);
        try (Connection mallory = mallory()) {
            exec(mallory, "SET ROLE NONE"); // a role may change its own password
            exec(mallory, "ALTER ROLE mallory PASSWORD '" + rounds + "'");
        }
        StatusEvent done = provision();
        assertThat(done.phase()).as(String.valueOf(done)).isEqualTo(Phase.SUCCEEDED);
        try (Connection superuser = superuser("postgres")) {
            assertThat(text(superuser, "SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = 'mallory'"))
                    .startsWith("SCRAM-SHA-256$4096:");
        }
        try (Connection mallory = mallory()) {
            assertThat(mallory.isValid(5)).isTrue();
        }
    }

    @Test
    void theViewsAnswerOnlyATokenAndATenantSeesOnlyItsNamespace() throws Exception {
        String view = "/instances/tenant-a/hostile";
        assertThat(status(view, null)).as("no token").isEqualTo(401);
        assertThat(status(view, "not-a-jwt")).as("not a token").isEqualTo(401);
        String forged = io.pgfleet.runtime.security.HttpTokens.mint(io.pgfleet.runtime.security.HttpTokens.newSecret(), "mallory", "platform",
                List.of(), Duration.ofHours(1), java.time.Clock.systemUTC());
        assertThat(status(view, forged)).as("signed with another key").isEqualTo(401);
        String expired = io.pgfleet.runtime.security.HttpTokens.mint(fixture.tokenSecret, "mallory", "platform", List.of(), Duration.ofHours(1),
                java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(-2)));
        assertThat(status(view, expired)).as("expired").isEqualTo(401);
        assertThat(status(view, fixture.token("tenant", "tenant-b"))).as("another tenant: as if it did not exist").isEqualTo(404);
        assertThat(status(view, fixture.token("tenant"))).as("a tenant token of no namespace").isEqualTo(404);
        assertThat(status(view, fixture.token("tenant", "tenant-a"))).isEqualTo(200);
        assertThat(status(view, fixture.token("auditor"))).isEqualTo(200);
        assertThat(status(view, fixture.platformToken())).isEqualTo(200);
        // health, metrics and the fleet's public key stay open
        assertThat(status("/health", null)).isEqualTo(200);
        assertThat(status("/prometheus", null)).isEqualTo(200);
        assertThat(status("/fleet/keys", null)).isIn(200, 404);
    }

    @Test
    void addUserCountsAgainstTheLimitOfUsersOneAtATime() throws Exception {
        // a document may hold at most 3 users here; add-user commands one by one may not add up to more
        for (String user : java.util.List.of("extra1", "extra2")) {
            assertThat(addUser(user).phase()).isEqualTo(Phase.SUCCEEDED);
        }
        StatusEvent refused = addUser("extra3");
        assertThat(refused.phase()).isEqualTo(Phase.REJECTED);
        assertThat(refused.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("name");
            assertThat(error.message()).contains("has 3 users already; at most 3 (pgfleet.limits.max-users)");
        });
        assertThat(addUser("extra1").phase()).as("a user it has already is no new one").isEqualTo(Phase.SUCCEEDED);
        try (Connection superuser = superuser("postgres")) {
            assertThat(count(superuser, "SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = 'extra3'")).isZero();
        }
        assertThat(provision().phase()).isEqualTo(Phase.SUCCEEDED);
    }

    private StatusEvent addUser(String user) {
        String id = fixture.publisher.publish(CommandType.ADD_USER, KEY,
                new AddUserCommand(KEY.name(), KEY.namespace(), user, "extra-password", null, null, Map.of("shop", "readonly")));
        return fixture.feed.awaitFinal(id, "user-manager", SLOW);
    }

    private int status(String path, String token) throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.getPort() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return java.net.http.HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void assertNothingEscalatedAfterAnAddUser(String user) throws Exception {
        String id = fixture.publisher.publish(CommandType.ADD_USER, KEY,
                new AddUserCommand(KEY.name(), KEY.namespace(), user, "reader-password", null, null, Map.of("shop", "readonly")));
        StatusEvent added = fixture.feed.awaitFinal(id, "user-manager", SLOW);
        try (Connection superuser = superuser("shop")) {
            assertThat(text(superuser, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'mallory'"))
                    .as("mallory is no superuser").isEqualTo("f");
        }
        StatusEvent provisioned = provision();
        try (Connection superuser = superuser("shop")) {
            assertThat(count(superuser, "SELECT count(*) FROM public.ran WHERE who <> 'mallory'"))
                    .as("nothing planted ran in pgfleet's sessions: %s", text(superuser, "SELECT string_agg(who || ':' || what, ', ') FROM public.ran"))
                    .isZero();
        }
        assertThat(added.phase()).as(String.valueOf(added)).isEqualTo(Phase.SUCCEEDED);
        assertThat(provisioned.phase()).as(String.valueOf(provisioned)).isEqualTo(Phase.SUCCEEDED);
    }

    private StatusEvent provision() {
        Postgres document = PayloadReader.fromText(DOCUMENT, Postgres.class).value();
        String id = fixture.publisher.publish(CommandType.PROVISION, KEY, document);
        return fixture.feed.awaitFinal(id, "user-manager", SLOW);
    }

    private void plant(String... statements) throws SQLException {
        try (Connection mallory = mallory()) {
            assertThat(text(mallory, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")).isEqualTo("f");
            for (String statement : statements) {
                exec(mallory, statement);
            }
        }
    }

    private static boolean refused(Connection connection, String sql) {
        try {
            exec(connection, sql);
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    private Connection mallory() throws SQLException {
        return DriverManager.getConnection(endpoint.jdbcUrl("shop"), "mallory", "mallory-password");
    }

    private Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection(endpoint.jdbcUrl(database), endpoint.user(), endpoint.password());
    }
}
