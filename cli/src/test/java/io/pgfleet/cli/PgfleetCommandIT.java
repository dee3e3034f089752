package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real {@code pgfleet} script end to end: {@code up}, the reference's complete example applied
 * with {@code --wait}, a backup, a restore, {@code status}, {@code events}, a clean stop with nothing
 * left running, and a second {@code up} that resumes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PgfleetCommandIT {

    private static final Duration SLOW = UpProcess.SLOW;

    private UpProcess stack;
    private final Path home = Path.of(System.getProperty("pgfleet.home")).toAbsolutePath().normalize();
    private Path dataDir;
    private int basePort;
    private Process up;
    private Path upLog;

    private record Result(int code, String output) {
    }

    @BeforeAll
    void start() throws Exception {
        stack = new UpProcess("pgfleet-cli-it-", List.of(), Map.of());
        dataDir = stack.dataDir;
        basePort = stack.basePort;
        up = startUp();
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
    }

    private Process startUp() throws IOException {
        Process process = stack.start();
        upLog = stack.upLog;
        return process;
    }

    private void stopUp() throws Exception {
        stack.stop();
    }

    /** What Ctrl-C in a terminal does: SIGINT to every process of the foreground group (the services included). */
    private void interruptUp() throws Exception {
        assertThat(new ProcessBuilder("kill", "-INT", "--", "-" + up.pid()).start().waitFor()).isZero();
        assertThat(up.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(Files.readString(upLog)).contains("stopped");
    }

    private Result pgfleet(String... args) throws Exception {
        UpProcess.Result result = stack.pgfleet(args);
        return new Result(result.code(), result.output());
    }

    @Test
    @Order(1)
    void upPrintsWhereEverythingListens() throws Exception {
        String printed = Files.readString(upLog);
        assertThat(printed).contains("kafka           127.0.0.1:" + basePort, "provisioner     http://127.0.0.1:" + (basePort + 4),
                "user-manager    http://127.0.0.1:" + (basePort + 5), "backup-worker   http://127.0.0.1:" + (basePort + 6), "s3 ");
    }

    @Test
    @Order(2)
    void theCompleteExampleIsAppliedAndWaitedFor() throws Exception {
        Result apply = pgfleet("apply", "-f", home.resolve("examples/postgres-complete.yaml").toString(), "--wait");
        assertThat(apply.code()).as(apply.output()).isZero();
        assertThat(apply.output()).contains("provisioner    SUCCEEDED", "user-manager   SUCCEEDED", "backup-worker  SUCCEEDED");
        // The CLI sealed the document's passwords and keys with the stack's fleet key: Kafka keeps none in clear.
        assertThat(apply.output()).contains("secret field(s) with the fleet key");
        io.pgfleet.servers.KafkaBroker broker = new io.pgfleet.servers.KafkaBroker() {
            @Override
            public String bootstrapServers() {
                return "127.0.0.1:" + basePort;
            }

            @Override
            public String description() {
                return "the local stack's broker";
            }

            @Override
            public void close() {
            }
        };
        String provisions = io.pgfleet.testkit.KafkaRecords.readAll(broker, "pgfleet.command.provision", 1).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).reduce("", String::concat);
        assertThat(provisions).contains("postgres-complete", "eyJ").doesNotContain("secure-admin-password", "your-restic-password",
                "your-s3-secret-key");

        try (Connection admin = connect("postgres-complete", "admin", "myapp"); Statement sql = admin.createStatement()) {
            sql.execute("CREATE TABLE orders (id int PRIMARY KEY, item text)");
            sql.execute("INSERT INTO orders VALUES (1, 'book'), (2, 'pen')");
        }
    }

    @Test
    @Order(3)
    void aBackupAndARestoreBringTheDataBack() throws Exception {
        Result backup = pgfleet("backup", "postgres-complete", "--wait");
        assertThat(backup.code()).as(backup.output()).isZero();
        assertThat(backup.output()).contains("saving database myapp", "backup-worker  SUCCEEDED");

        try (Connection admin = connect("postgres-complete", "admin", "myapp"); Statement sql = admin.createStatement()) {
            sql.execute("DELETE FROM orders");
        }
        Result restore = pgfleet("restore", "postgres-complete", "--database", "myapp", "--wait");
        assertThat(restore.code()).as(restore.output()).isZero();
        try (Connection admin = connect("postgres-complete", "admin", "myapp"); Statement sql = admin.createStatement();
             ResultSet rows = sql.executeQuery("SELECT count(*) FROM orders")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    @Order(4)
    void statusAndEventsShowWhatHappened() throws Exception {
        Result status = pgfleet("status", "postgres-complete");
        assertThat(status.code()).as(status.output()).isZero();
        assertThat(status.output()).contains("cluster    READY", "primary", "database   myapp", "database   analytics", "SUCCEEDED on-demand",
                "tls        sslmode=verify-full");
        // The connection string verifies the server with the stack's CA.
        Result connect = pgfleet("connect", "postgres-complete", "--user", "admin", "--database", "myapp");
        assertThat(connect.output()).contains("sslmode=verify-full&sslrootcert=");
        Result withPassword = pgfleet("connect", "postgres-complete", "--user", "admin", "--database", "myapp", "--with-password");
        Process psql = new ProcessBuilder(io.pgfleet.runtime.local.PgBinaries.find(java.util.Optional.empty()).tool("psql"), "-X", "-q", "-A", "-t",
                // admin works as myapp_admin in myapp (its role setting): SET ROLE NONE, back to itself, to see its own connection.
                "-c", "SET ROLE NONE", "-c", "SELECT coalesce((SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()), 'no row') || ' as ' "
                        + "|| current_user", withPassword.output().strip())
                .redirectErrorStream(true).start();
        String answer = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(psql.waitFor()).as(answer).isZero();
        assertThat(answer.strip()).as(withPassword.output()).isEqualTo("true as admin");

        Result events = pgfleet("events", "--instance", "postgres-complete");
        assertThat(events.code()).isZero();
        assertThat(events.output()).contains("provisioner    provision     SUCCEEDED", "backup-worker  backup        SUCCEEDED",
                "backup-worker  restore       SUCCEEDED");
        assertThat(events.output()).doesNotContain("secure-admin-password", "your-restic-password", "your-s3-secret-key");
    }

    @Test
    @Order(5)
    void aRejectedDocumentPrintsEveryErrorWithItsPath() throws Exception {
        Path bad = dataDir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(home.resolve("examples/postgres-dev.yaml")).replace("replicas: 1", "replicas: 0")
                .replace("- hstore", "- plperlu"));
        Result apply = pgfleet("apply", "-f", bad.toString(), "--wait");
        assertThat(apply.code()).as(apply.output()).isEqualTo(2);
        assertThat(apply.output()).contains("REJECTED", "spec.replicas: must be at least 1", "spec.databases.dev_db.extensions");
    }

    @Test
    @Order(5)
    void aDeletedInstanceTakesItsPasswordsWithItSoTheSameNameAgainGetsNewOnes() throws Exception {
        Path doc = dataDir.resolve("reborn.yaml");
        Files.writeString(doc, Files.readString(home.resolve("examples/postgres-dev.yaml")).replace("postgres-dev", "reborn")
                .replace("      password: \"dev-password\"\n", "      replication: false\n"));
        assertThat(pgfleet("apply", "-f", doc.toString(), "--wait").code()).isZero();
        String first = password(pgfleet("connect", "reborn", "--user", "dev_user", "--database", "dev_db", "--with-password"));
        try (Connection ignored = connect("reborn", "dev_user", "dev_db")) {
            assertThat(first).hasSizeGreaterThan(16);
        }
        Result delete = pgfleet("delete", "reborn", "--wait");
        assertThat(delete.code()).as(delete.output()).isZero();
        assertThat(delete.output()).contains("with its stored passwords and backup credentials");

        Result again = pgfleet("apply", "-f", doc.toString(), "--wait");
        assertThat(again.code()).as(again.output()).isZero();
        String second = password(pgfleet("connect", "reborn", "--user", "dev_user", "--database", "dev_db", "--with-password"));
        assertThat(second).isNotEqualTo(first);
        try (Connection ignored = connect("reborn", "dev_user", "dev_db")) {
            // the new password logs in ...
        }
        Result connect = pgfleet("connect", "reborn", "--user", "dev_user", "--database", "dev_db");
        LibpqUrl url = LibpqUrl.parse(connect.output());
        // ... and the old one no longer does.
        assertThatThrownBy(() -> DriverManager.getConnection(url.jdbcUrl(), "dev_user", first).close())
                .hasMessageContaining("password authentication failed");
        assertThat(pgfleet("delete", "reborn", "--wait").code()).isZero();
    }

    private static String password(Result connect) {
        assertThat(connect.code()).as(connect.output()).isZero();
        return LibpqUrl.parse(connect.output()).password();
    }

    @Test
    @Order(6)
    void ctrlCLeavesNothingRunningAndTheNextUpResumes() throws Exception {
        interruptUp();
        assertThat(processesUsing(dataDir)).isEmpty();

        up = startUp();
        await().atMost(SLOW).untilAsserted(() -> {
            Result status = pgfleet("status", "postgres-complete");
            assertThat(status.output()).contains("cluster    READY: 3 of 3 members ready");
        });
        try (Connection admin = connect("postgres-complete", "admin", "myapp"); Statement sql = admin.createStatement();
             ResultSet rows = sql.executeQuery("SELECT count(*) FROM orders")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(2);
        }
        Result delete = pgfleet("delete", "postgres-complete", "--wait");
        assertThat(delete.code()).as(delete.output()).isZero();
        assertThat(pgfleet("status", "postgres-complete").output()).doesNotContain("cluster    READY");
        stopUp();
        assertThat(processesUsing(dataDir)).isEmpty();
    }

    /** Via {@code pgfleet connect --with-password}, as a user would before psql. */
    private Connection connect(String instance, String user, String database) throws Exception {
        Result connect = pgfleet("connect", instance, "--user", user, "--database", database, "--with-password");
        assertThat(connect.code()).as(connect.output()).isZero();
        return LibpqUrl.parse(connect.output()).connect();
    }

    /** Processes whose command line names the data directory (the services, PostgreSQL servers). */
    private static List<String> processesUsing(Path dataDir) throws IOException {
        List<String> found = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    String stat = Files.readString(proc.resolve("stat"));
                    boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
                    if (!zombie && cmdline.contains(dataDir.toString()) && !cmdline.contains("surefire") && !cmdline.contains("failsafe")) {
                        found.add(proc.getFileName() + " " + cmdline);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return found;
    }
}
