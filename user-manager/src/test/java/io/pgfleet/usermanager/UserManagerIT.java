package io.pgfleet.usermanager;

import static io.pgfleet.testkit.Sql.count;
import static io.pgfleet.testkit.Sql.exec;
import static io.pgfleet.testkit.Sql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddExtensionCommand;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.postgres.User;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.testkit.LogCapture;
import io.pgfleet.testkit.ServiceFixture;
import io.pgfleet.runtime.credentials.CredentialStore;
import io.pgfleet.runtime.credentials.ScramVerifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** The reference's complete example applied for real, then users and extensions added and removed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserManagerIT {

    private static final Duration SLOW = Duration.ofMinutes(3);
    private static final InstanceKey KEY = new InstanceKey("tenant-a", "postgres-complete");

    private ServiceFixture fixture;
    private EmbeddedServer userManager;
    private Postgres complete;
    private final List<String> secrets = new ArrayList<>();

    @BeforeAll
    void start() {
        LogCapture.text(); // start capturing before the service logs anything
        fixture = new ServiceFixture("user-manager");
        userManager = fixture.start(Map.of("pgfleet.extensions.allowed",
                "hstore,pg_stat_statements,pg_trgm,btree_gin,uuid-ossp,pgcrypto,postgis"));
        complete = PayloadReader.fromText(ReferenceExamples.documents().get(1).text(), Postgres.class).value();
        complete.spec().users().values().forEach(u -> secrets.add(u.password()));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    private StatusEvent run(CommandType type, Object payload) {
        String id = fixture.publisher.publish(type, KEY, payload);
        return fixture.feed.awaitFinal(id, "user-manager", SLOW);
    }

    @Test
    @Order(1)
    void theCompleteExampleIsAppliedOnceTheInstanceExists() throws Exception {
        String id = fixture.publisher.publish(CommandType.PROVISION, KEY, complete);
        fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && e.phase() == Phase.PROGRESSING
                && e.message().contains("to exist"), SLOW, () -> "no waiting: " + fixture.feed.forCommand(id));
        // Now the instance appears, as the provisioner would make it.
        fixture.track(KEY);
        ClusterSpec cluster = ClusterSpec.of(complete.spec());
        await().atMost(SLOW).until(() -> fixture.driver().apply(KEY, cluster).outcome() == Step.Outcome.DONE);

        StatusEvent done = fixture.feed.awaitFinal(id, "user-manager", SLOW);
        assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
        assertThat(((Number) done.details().get("statements")).intValue()).isPositive();

        try (Connection admin = login("myapp", "admin", "secure-admin-password");
             Connection app = login("myapp", "app_user", "app-password");
             Connection readonly = login("myapp", "readonly_user", "readonly-password")) {
            exec(app, "CREATE TABLE public.orders (id int PRIMARY KEY, item text)");
            exec(app, "INSERT INTO public.orders VALUES (1, 'book')");
            exec(admin, "CREATE SCHEMA sales");
            exec(admin, "CREATE TABLE sales.leads (id int, who text)");
            exec(admin, "INSERT INTO sales.leads VALUES (7, 'ada')");
            exec(admin, "INSERT INTO public.orders VALUES (2, 'pen')"); // an admin member may write another's table
            // ... and alter or drop what another admin member made (both create as myapp_admin)
            exec(admin, "ALTER TABLE public.orders ADD COLUMN note text");
            exec(app, "ALTER TABLE sales.leads ADD COLUMN source text");
            exec(app, "CREATE TABLE public.scratch (id int)");
            exec(admin, "DROP TABLE public.scratch");
            assertThat(text(admin, "SELECT tableowner FROM pg_tables WHERE tablename = 'leads'")).isEqualTo("myapp_admin");
            assertThat(count(readonly, "SELECT count(*) FROM public.orders")).isEqualTo(2);
            assertThat(count(readonly, "SELECT count(*) FROM sales.leads")).isEqualTo(1);
            assertThatThrownBy(() -> exec(readonly, "INSERT INTO public.orders VALUES (3, 'x')")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> exec(readonly, "CREATE TABLE public.mine (id int)")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> exec(readonly, "CREATE TABLE sales.mine (id int)")).hasMessageContaining("permission denied");
        }
        assertThatThrownBy(() -> login("analytics", "readonly_user", "readonly-password")).hasMessageContaining("permission denied");
        try (Connection analytics = login("analytics", "admin", "secure-admin-password")) {
            assertThat(count(analytics, "SELECT count(*) FROM pg_extension WHERE extname IN ('hstore', 'pg_stat_statements')")).isEqualTo(2);
            assertThat(count(analytics, "SELECT count(*) FROM pg_stat_statements")).isPositive();
        }
        try (Connection myapp = login("myapp", "admin", "secure-admin-password")) {
            assertThat(count(myapp, "SELECT count(*) FROM pg_extension WHERE extname IN ('hstore', 'pg_stat_statements')")).isZero();
        }
        // readonly_user has replication: true.
        Properties replication = new Properties();
        replication.setProperty("user", "readonly_user");
        replication.setProperty("password", "readonly-password");
        replication.setProperty("replication", "database");
        replication.setProperty("assumeMinServerVersion", "9.4");
        replication.setProperty("preferQueryMode", "simple");
        try (Connection repl = DriverManager.getConnection(url("myapp"), replication); Statement sql = repl.createStatement();
             ResultSet rows = sql.executeQuery("IDENTIFY_SYSTEM")) {
            assertThat(rows.next()).isTrue();
        }
    }

    @Test
    @Order(2)
    void reapplyingTheSameDocumentRunsNoStatement() {
        StatusEvent again = run(CommandType.PROVISION, complete);
        assertThat(again.phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(again.details()).containsEntry("statements", 0);
    }

    @Test
    @Order(3)
    void usersAndExtensionsAreAddedToTheRunningInstance() throws Exception {
        StatusEvent added = run(CommandType.ADD_USER, new AddUserCommand("postgres-complete", "tenant-a", "report_user", null, false, false,
                Map.of("myapp", "readonly")));
        assertThat(added.phase()).isEqualTo(Phase.SUCCEEDED);
        String generated = userManager.getApplicationContext().getBean(io.pgfleet.runtime.credentials.CredentialStores.class).kind(io.pgfleet.usermanager.access.AccessReconciler.PASSWORDS).read(KEY).get("report_user");
        assertThat(generated).hasSizeGreaterThan(20);
        secrets.add(generated);
        try (Connection report = login("myapp", "report_user", generated)) {
            assertThat(count(report, "SELECT count(*) FROM public.orders")).isEqualTo(2);
        }
        String odd = "it's a \"quote\" \\ back $$ dollar ünïcødé";
        secrets.add(odd);
        assertThat(run(CommandType.ADD_USER, new AddUserCommand("postgres-complete", null, "odd_user", odd, false, false, null)).phase())
                .isEqualTo(Phase.SUCCEEDED);
        try (Connection oddLogin = login("postgres", "odd_user", odd)) {
            assertThat(oddLogin.isValid(5)).isTrue();
        }
        String longest = "u".repeat(63);
        assertThat(run(CommandType.ADD_USER, new AddUserCommand("postgres-complete", null, longest, "long-password", false, false, null))
                .phase()).isEqualTo(Phase.SUCCEEDED);
        secrets.add("long-password");
        try (Connection longLogin = login("postgres", longest, "long-password")) {
            assertThat(longLogin.isValid(5)).isTrue();
        }
        // A generated password (random) gets a verifier of few rounds; one from the document PostgreSQL's 4096.
        try (Connection superuser = login("postgres", endpoint().user(), endpoint().password());
             Statement sql = superuser.createStatement();
             ResultSet rows = sql.executeQuery("SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN ('report_user', 'odd_user')"
                     + " ORDER BY rolname")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(2)).as("odd_user").startsWith("SCRAM-SHA-256$4096:");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(2)).as("report_user").startsWith("SCRAM-SHA-256$" + ScramVerifier.RANDOM_SECRET_ITERATIONS + ":");
        }
        assertThat(run(CommandType.ADD_EXTENSION, new AddExtensionCommand("postgres-complete", null, "myapp", "pg_trgm")).phase())
                .isEqualTo(Phase.SUCCEEDED);
        try (Connection myapp = login("myapp", "admin", "secure-admin-password")) {
            assertThat(count(myapp, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")).isEqualTo(1);
        }
    }

    @Test
    @Order(4)
    void badNamesAreRejectedAndAnExtensionTheServerLacksFails() {
        for (String name : List.of("a\"; DROP TABLE x; --", "it's", "back\\slash", "$$", "ünïcødé", "u".repeat(64))) {
            StatusEvent rejected = run(CommandType.ADD_USER, new AddUserCommand("postgres-complete", null, name, "p", false, false, null));
            assertThat(rejected.phase()).as(name).isEqualTo(Phase.REJECTED);
            assertThat(rejected.errors()).as(name).extracting(e -> e.path()).containsExactly("name");
        }
        StatusEvent notAllowed = run(CommandType.ADD_EXTENSION, new AddExtensionCommand("postgres-complete", null, "myapp", "plperlu"));
        assertThat(notAllowed.phase()).isEqualTo(Phase.REJECTED);
        StatusEvent missing = run(CommandType.ADD_EXTENSION, new AddExtensionCommand("postgres-complete", null, "myapp", "postgis"));
        assertThat(missing.phase()).isEqualTo(Phase.FAILED);
        assertThat(missing.message()).contains("extension \"postgis\"");
    }

    @Test
    @Order(5)
    void aUserRemovedFromTheDocumentIsGoneAndItsTablesBelongToTheAdminGroup() throws Exception {
        PostgresSpec spec = complete.spec();
        Map<String, User> users = new LinkedHashMap<>(spec.users());
        users.remove("app_user");
        var myapp = spec.databases().get("myapp");
        var roles = new io.pgfleet.events.postgres.DatabaseRoles(List.of("admin"), myapp.roles().readonly(), null, null);
        Map<String, io.pgfleet.events.postgres.Database> databases = new LinkedHashMap<>(spec.databases());
        databases.put("myapp", new io.pgfleet.events.postgres.Database(roles, myapp.extensions()));
        databases.remove("analytics");
        Postgres without = new Postgres(complete.apiVersion(), complete.kind(), complete.metadata(),
                new PostgresSpec(spec.external(), spec.size(), spec.replicas(), spec.storageClass(), spec.postgresql(), spec.quorum(), users,
                        databases, spec.backup(), null));
        StatusEvent applied = run(CommandType.PROVISION, without);
        assertThat(applied.phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(applied.details()).containsEntry("unmanagedDatabases", List.of("analytics"));
        try (Connection analytics = login("analytics", "admin", "secure-admin-password")) {
            assertThat(analytics.isValid(5)).as("a database dropped from the document is kept").isTrue();
        }
        try (io.micronaut.http.client.HttpClient http = io.micronaut.http.client.HttpClient.create(userManager.getURL())) {
            String view = http.toBlocking().retrieve(io.micronaut.http.HttpRequest.GET("/instances/tenant-a/postgres-complete")
                    .bearerAuth(fixture.platformToken()));
            assertThat(view).contains("\"readonly_user\"", "myapp_readonly", "\"hstore\"", "\"managedUsers\"")
                    .doesNotContain("SCRAM-SHA-256").doesNotContain(secrets.toArray(String[]::new));
        }
        try (Connection admin = login("myapp", "admin", "secure-admin-password")) {
            assertThat(count(admin, "SELECT count(*) FROM pg_roles WHERE rolname = 'app_user'")).isZero();
            try (ResultSet rows = admin.createStatement().executeQuery("SELECT tableowner FROM pg_tables WHERE tablename = 'orders'")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("myapp_admin");
            }
        }
        assertThatThrownBy(() -> login("myapp", "app_user", "app-password")).isInstanceOf(SQLException.class);
    }

    @Test
    @Order(6)
    void noSecretReachesAnEventALogLineOrAStateTable() throws Exception {
        StringBuilder seen = new StringBuilder();
        fixture.feed.all().forEach(r -> seen.append(r.rawValue()).append('\n'));
        try (Connection c = fixture.state.connect("postgres"); Statement sql = c.createStatement()) {
            for (String table : List.of("access", "job", "handled_command", "outbox")) {
                try (ResultSet rows = sql.executeQuery("SELECT t::text FROM user_manager." + table + " t")) {
                    while (rows.next()) {
                        seen.append(rows.getString(1)).append('\n');
                    }
                }
            }
        }
        assertThat(seen.toString()).contains("readonly_user").doesNotContain(secrets.toArray(String[]::new));
        assertThat(LogCapture.text()).contains("statement(s) applied").doesNotContain(secrets.toArray(String[]::new));
    }

    private Endpoint endpoint() {
        return fixture.driver().primary(KEY).orElseThrow();
    }

    private String url(String database) {
        return endpoint().jdbcUrl(database);
    }

    private Connection login(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(url(database), user, password);
    }
}
