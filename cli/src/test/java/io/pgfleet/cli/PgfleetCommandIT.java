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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import java.time.Instant;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
        // The example archives its WAL: the answer tells the base backup taken for it before the logical set.
        assertThat(backup.output()).contains("saving database myapp", "backup-worker  SUCCEEDED", "taken from");

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
        Process psql = new ProcessBuilder(io.pgfleet.host.PgBinaries.find(java.util.Optional.empty()).tool("psql"), "-X", "-q", "-A", "-t",
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
    void listShowsFourInstancesInEachFormatAndEventsNarrowByCommandAndTime() throws Exception {
        Instant beforeTheOthers = Instant.now();
        // Three applies at once, as three terminals would run them.
        List<CompletableFuture<Result>> applies = new ArrayList<>();
        for (String name : List.of("postgres-dev", "postgres-minimal", "postgres-dev-b")) {
            Path doc = dataDir.resolve(name + ".yaml");
            String example = name.equals("postgres-dev-b") ? "postgres-dev" : name;
            Files.writeString(doc, Files.readString(home.resolve("examples/" + example + ".yaml")).replace("name: " + example, "name: " + name));
            applies.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return pgfleet("apply", "-f", doc.toString(), "--wait");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Result> apply : applies) {
            assertThat(apply.get().code()).as(apply.get().output()).isZero();
        }
        await().atMost(SLOW).untilAsserted(() -> assertThat(pgfleet("list").output().lines().filter(l -> l.contains(" READY ")).count())
                .isEqualTo(4));

        Result table = pgfleet("list");
        assertThat(table.code()).as(table.output()).isZero();
        List<String> lines = table.output().lines().toList();
        assertThat(lines.get(0)).matches("INSTANCE +PHASE +MEMBERS +PRIMARY +LAST BACKUP +AGE");
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).matches("default/postgres-complete +READY +3/3 +postgres-complete-[0-9] +\\S+ +[0-9]+[smhd].*");
        assertThat(lines.get(2)).matches("default/postgres-dev +READY +1/1 +postgres-dev-1 +- +-");
        assertThat(lines.get(3)).matches("default/postgres-dev-b +READY +1/1 +postgres-dev-b-1 +- +-");
        assertThat(lines.get(4)).matches("default/postgres-minimal +READY +2/2 +postgres-minimal-1 +- +-");

        Result wide = pgfleet("list", "-o", "wide");
        assertThat(wide.output().lines().findFirst().orElseThrow()).contains("SIZE", "SCHEDULE", "RECOVERABLE FROM", "MESSAGE");
        assertThat(wide.output()).contains("0 3 * * *", "50Gi", "10Gi", "5Gi");

        JsonNode json = Json.mapper().readTree(pgfleet("list", "-o", "json").output());
        JsonNode yaml = Json.yamlMapper().readTree(pgfleet("list", "-o", "yaml").output());
        for (JsonNode parsed : List.of(json, yaml)) {
            assertThat(parsed).hasSize(4);
            assertThat(parsed.get(0).path("instance").asText()).isEqualTo("default/postgres-complete");
            assertThat(parsed.get(0).path("membersReady").asInt()).isEqualTo(3);
            assertThat(parsed.get(0).path("lastBackup").asText()).isNotBlank();
            assertThat(parsed.get(3).path("membersDesired").asInt()).isEqualTo(2);
        }
        // The HTTP views say the same.
        JsonNode provisioner = UpProcess.view(dataDir, "http://127.0.0.1:" + (basePort + 4), "/instances/default/postgres-complete");
        assertThat(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + (basePort + 4) + "/instances")).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).as("no token, no view").isEqualTo(401);
        assertThat(json.get(0).path("primary").asText()).isEqualTo(provisioner.path("primary").asText());

        Result backups = pgfleet("backups", "postgres-complete", "-o", "json");
        assertThat(backups.code()).as(backups.output()).isZero();
        JsonNode runs = Json.mapper().readTree(backups.output());
        assertThat(runs.get(0).path("id").asText()).isEqualTo(json.get(0).path("lastBackup").asText());
        assertThat(pgfleet("backups", "postgres-complete").output()).contains("SUCCEEDED", "on-demand");
        assertThat(pgfleet("backups", "no-such-instance").code()).isEqualTo(1);

        JsonNode devProvision = pgfleet("events", "-i", "postgres-dev", "-o", "json").output().lines().map(PgfleetCommandIT::tree)
                .filter(e -> "provision".equals(e.path("commandType").asText())).findFirst().orElseThrow();
        String commandId = devProvision.path("commandId").asText();
        List<String> answers = pgfleet("events", "--command", commandId).output().lines().toList();
        assertThat(answers).isNotEmpty().allMatch(l -> l.contains("default/postgres-dev ") && l.contains(" provision "));
        assertThat(String.join("\n", answers)).contains("provisioner    provision     SUCCEEDED", "user-manager   provision     SUCCEEDED");
        List<JsonNode> since = pgfleet("events", "--since", beforeTheOthers.toString(), "-o", "json").output().lines()
                .map(PgfleetCommandIT::tree).toList();
        assertThat(since).extracting(e -> e.path("instance").asText()).contains("default/postgres-dev-b", "default/postgres-minimal");
        assertThat(since).allMatch(e -> !Instant.parse(e.path("time").asText()).isBefore(beforeTheOthers));

        // The same fleet as Prometheus scrapes it (the names the chart's dashboard and alerts use).
        await().atMost(SLOW).untilAsserted(() -> {
            String scraped = scrape(basePort + 4);
            assertThat(scraped).containsPattern("pgfleet_instance_phase\\{pgfleet_instance=\"default/postgres-complete\",phase=\"READY\"[^}]*} 1\\.0")
                    .containsPattern("pgfleet_instance_phase\\{pgfleet_instance=\"default/postgres-dev\",phase=\"DEGRADED\"[^}]*} 0\\.0")
                    .containsPattern("pgfleet_instance_members_ready\\{pgfleet_instance=\"default/postgres-complete\"[^}]*} 3\\.0")
                    .containsPattern("pgfleet_instance_members_desired\\{pgfleet_instance=\"default/postgres-minimal\"[^}]*} 2\\.0")
                    .containsPattern("pgfleet_replication_lag_bytes\\{member=\"postgres-minimal-[0-9]\",pgfleet_instance=\"default/postgres-minimal\"[^}]*} [0-9.E]+")
                    .containsPattern("pgfleet_commands_total\\{outcome=\"SUCCEEDED\",pgfleet_service=\"provisioner\",type=\"provision\"[^}]*} ([4-9]|[1-9][0-9])\\.0")
                    .containsPattern("pgfleet_outbox_backlog_events\\{pgfleet_service=\"provisioner\"[^}]*} 0\\.0")
                    // what the chart's PgfleetConsumerLag alert reads: the command consumers' lag per partition
                    .containsPattern("(?m)^kafka_consumer_records_lag_records\\{(?=[^}]*topic=\"pgfleet_command_provision\")[^}]*} [0-9.E]+$")
                    // how long the provisions took, as a histogram
                    .containsPattern("(?m)^pgfleet_job_duration_seconds_bucket\\{(?=[^}]*kind=\"provision\")(?=[^}]*outcome=\"SUCCEEDED\")"
                            + "(?=[^}]*le=\"\\+Inf\")[^}]*} [1-9][0-9]*(\\.0)?$");
            assertThat(scrape(basePort + 5)).containsPattern("pgfleet_commands_total\\{outcome=\"SUCCEEDED\",pgfleet_service=\"user-manager\",type=\"provision\"");
            assertThat(scrape(basePort + 6))
                    .containsPattern("pgfleet_backup_last_success_timestamp_seconds\\{pgfleet_instance=\"default/postgres-complete\"[^}]*} 1\\.[0-9]+E9")
                    .containsPattern("pgfleet_backup_schedule_interval_seconds\\{pgfleet_instance=\"default/postgres-complete\"[^}]*} 86400\\.0")
                    .containsPattern("pgfleet_commands_total\\{outcome=\"SUCCEEDED\",pgfleet_service=\"backup-worker\",type=\"backup\"");
        });
    }

    private static String scrape(int port) throws IOException {
        try (var in = java.net.URI.create("http://127.0.0.1:" + port + "/prometheus").toURL().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
    void everyNumericFormOfALoopbackOrMetadataEndpointIsRejectedByEachOfTheThreeServices() throws Exception {
        // the local stack allows its own S3 server (127.0.0.1 on its port): these name other ports, or the metadata address
        List<String> buckets = List.of("0x7f000001:1/backups", "2130706433:1/backups", "0177.0.0.1:1/backups", "127.1:1/backups", "[::ffff:127.0.0.1]:1/backups",
                "http://169.254.169.254/backups", "http://0xa9fea9fe/backups", "http://[::ffff:a9fe:a9fe]/backups");
        StringBuilder documents = new StringBuilder();
        for (int i = 0; i < buckets.size(); i++) {
            documents.append(i == 0 ? "" : "---\n").append(Files.readString(home.resolve("examples/postgres-dev.yaml"))
                    .replace("postgres-dev", "endpoint-probe-" + i)).append("  backup:\n    enabled: true\n    s3Bucket: \"")
                    .append(buckets.get(i)).append("\"\n    s3AccessKey: \"key\"\n    s3SecretKey: \"secret\"\n    resticPassword: \"restic\"\n");
        }
        Path bad = dataDir.resolve("endpoints.yaml");
        Files.writeString(bad, documents);
        Instant before = Instant.now().minusSeconds(1);
        Result apply = pgfleet("apply", "-f", bad.toString(), "--wait");
        assertThat(apply.code()).as(apply.output()).isEqualTo(2);
        assertThat(apply.output()).contains("spec.backup.s3Bucket", "it is the IP address");
        // every service refused every document, naming the field (read back from the status topic, as an auditor would)
        await().atMost(SLOW).untilAsserted(() -> {
            List<JsonNode> events = pgfleet("events", "--since", before.toString(), "-o", "json").output().lines()
                    .map(PgfleetCommandIT::tree).toList();
            for (int i = 0; i < buckets.size(); i++) {
                String instance = "default/endpoint-probe-" + i;
                assertThat(events).as(buckets.get(i)).filteredOn(e -> instance.equals(e.path("instance").asText())
                                && "REJECTED".equals(e.path("phase").asText())
                                && e.path("errors").toString().contains("spec.backup.s3Bucket"))
                        .extracting(e -> e.path("service").asText())
                        .containsExactlyInAnyOrder("provisioner", "user-manager", "backup-worker");
            }
        });
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
    void theFleetStateTopicReadFromItsStartEqualsTheViewsAndHoldsATombstoneForTheDeleted() throws Exception {
        Result scale = pgfleet("scale", "postgres-minimal", "--replicas", "3", "--wait");
        assertThat(scale.code()).as(scale.output()).isZero();
        Result backup = pgfleet("backup", "postgres-complete", "--wait");
        assertThat(backup.code()).as(backup.output()).isZero();

        await().atMost(SLOW).untilAsserted(() -> {
            Map<String, ConsumerRecord<String, byte[]>> latest = new java.util.TreeMap<>();
            for (ConsumerRecord<String, byte[]> record : readFromStart("pgfleet.instances")) {
                latest.put(record.key(), record);
            }
            assertThat(latest).containsKey("default/reborn");
            assertThat(latest.get("default/reborn").value()).as("the deleted instance's last record is a tombstone").isNull();
            JsonNode provisioner = UpProcess.view(dataDir, "http://127.0.0.1:" + (basePort + 4), "/instances");
            List<String> live = new ArrayList<>();
            provisioner.forEach(view -> live.add(view.path("instance").asText()));
            assertThat(live).contains("default/postgres-complete", "default/postgres-dev", "default/postgres-minimal", "default/postgres-dev-b");
            for (JsonNode view : provisioner) {
                String key = view.path("instance").asText();
                assertThat(latest).containsKey(key);
                ConsumerRecord<String, byte[]> record = latest.get(key);
                assertThat(new String(record.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8)).isEqualTo("io.pgfleet.instance.v1");
                String text = new String(record.value(), StandardCharsets.UTF_8);
                assertThat(text).doesNotContain("secure-admin-password", "dev-password", "your-restic-password", "your-s3-secret-key");
                JsonNode state = Json.mapper().readTree(text);
                assertThat(state.path("phase").asText()).as(key).isEqualTo(view.path("phase").asText());
                assertThat(state.path("membersDesired").asInt()).as(key).isEqualTo(view.path("membersDesired").asInt());
                assertThat(state.path("membersReady").asInt()).as(key).isEqualTo(view.path("membersReady").asInt());
                assertThat(state.path("primary").asText()).as(key).isEqualTo(view.path("primary").asText());
                JsonNode access = UpProcess.view(dataDir, "http://127.0.0.1:" + (basePort + 5), "/instances/" + key);
                assertThat(names(state.path("users"))).as(key).isEqualTo(names(access.path("users")));
                assertThat(names(state.path("databases"))).as(key).isEqualTo(names(access.path("databases")));
                JsonNode backups = UpProcess.view(dataDir, "http://127.0.0.1:" + (basePort + 6), "/instances/" + key);
                if (backups == null) {
                    assertThat(state.has("backup")).as(key + ": the backup-worker does not know it").isFalse();
                } else {
                    assertThat(state.at("/backup/lastBackup").asText(null)).as(key).isEqualTo(backups.at("/lastBackup/id").asText(null));
                    assertThat(state.at("/backup/enabled").asBoolean()).as(key).isEqualTo(backups.path("enabled").asBoolean());
                }
            }
            assertThat(Json.mapper().readTree(latest.get("default/postgres-minimal").value()).path("membersDesired").asInt()).isEqualTo(3);
            JsonNode complete = Json.mapper().readTree(latest.get("default/postgres-complete").value());
            assertThat(complete.at("/backup/lastBackup").asText()).isNotBlank();
            assertThat(complete.path("members")).hasSize(3);
            assertThat(complete.path("updated")).hasSize(3);
        });
    }

    private List<ConsumerRecord<String, byte[]>> readFromStart(String topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + basePort,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            return records;
        }
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(item -> names.add(item.path("name").asText()));
        return names.stream().sorted().toList();
    }

    @Test
    @Order(7)
    void theProducerExamplesPublishProvisionsWithoutPgfleetAndFollowTheirAnswers() throws Exception {
        String bootstrap = "127.0.0.1:" + basePort;
        Path example = home.resolve("examples/postgres-minimal.yaml");
        // Python with confluent-kafka (Debian's python3 and python3-confluent-kafka; the PATH's python3 may be another)
        CommandResult python = ProcessRunner.run(List.of("/usr/bin/python3", home.resolve("docs/examples/provision.py").toString(),
                "--bootstrap-servers", bootstrap, "--file", example.toString(), "--name", "from-python", "--timeout", "240"), Map.of(), dataDir,
                SLOW);
        assertThat(python.exitCode()).as(python.output()).isZero();
        assertThat(python.output()).contains("published provision", "provisioner    SUCCEEDED", "user-manager   SUCCEEDED",
                "backup-worker  SUCCEEDED");
        assertThat(pgfleet("status", "from-python").output()).contains("cluster    READY");
        // A bad document: every service's REJECTED with the path of what is wrong, exit code 2 as the CLI's.
        Path bad = dataDir.resolve("bad-python.yaml");
        Files.writeString(bad, Files.readString(example).replace("replicas: 2", "replicas: 0"));
        CommandResult rejected = ProcessRunner.run(List.of("/usr/bin/python3", home.resolve("docs/examples/provision.py").toString(),
                "--bootstrap-servers", bootstrap, "--file", bad.toString(), "--name", "bad-python", "--timeout", "240"), Map.of(), dataDir,
                SLOW);
        assertThat(rejected.exitCode()).as(rejected.output()).isEqualTo(2);
        assertThat(rejected.output()).contains("provisioner    REJECTED", "spec.replicas: must be at least 1");

        // kcat, the same as JSON
        Path json = dataDir.resolve("from-kcat.json");
        Files.writeString(json, Json.mapper().writeValueAsString(PayloadReader.fromText(Files.readString(example)
                .replace("name: postgres-minimal", "name: from-kcat"), Postgres.class).value()));
        CommandResult kcat = ProcessRunner.run(List.of("bash", home.resolve("docs/examples/provision-kcat.sh").toString(), bootstrap,
                json.toString(), "from-kcat"), Map.of(), dataDir, SLOW);
        assertThat(kcat.exitCode()).as(kcat.output()).isZero();
        assertThat(kcat.output().lines().filter(l -> l.matches(".*\"phase\" *: *\"SUCCEEDED\".*"))).hasSize(3);
        assertThat(pgfleet("status", "from-kcat").output()).contains("cluster    READY");

        // The same fleet without any service's view: from the fleet-state topic, as a Kubernetes user without port-forwards.
        await().atMost(SLOW).untilAsserted(() -> {
            Result fromTopic = pgfleet("list", "--from-topic");
            assertThat(fromTopic.code()).as(fromTopic.output()).isZero();
            assertThat(fromTopic.output()).containsPattern("default/from-python +READY +2/2")
                    .containsPattern("default/from-kcat +READY +2/2");
        });
        Result status = pgfleet("status", "from-python", "--from-topic");
        assertThat(status.code()).as(status.output()).isZero();
        assertThat(status.output()).contains("cluster    READY: 2 of 2 members ready").containsPattern("from-python-1 +primary")
                .containsPattern("from-python-2 +replica .* streaming");
    }

    @Test
    @Order(8)
    void theCliInstalledFromItsPackageWorksWithoutTheCheckout() throws Exception {
        // What the build makes for an install (cli/target/cli-<version>-dist.tar.gz), unpacked where no checkout is.
        Path packaged;
        try (var files = Files.list(home.resolve("cli/target"))) {
            packaged = files.filter(f -> f.getFileName().toString().endsWith("-dist.tar.gz")).findFirst().orElseThrow();
        }
        Path installed = Files.createTempDirectory("pgfleet-installed");
        try {
            ProcessRunner.check(List.of("tar", "xzf", packaged.toString(), "-C", installed.toString()), Map.of(), installed, SLOW);
            Path launcher;
            try (var dirs = Files.list(installed)) {
                launcher = dirs.findFirst().orElseThrow().resolve("bin/pgfleet");
            }
            assertThat(Files.isExecutable(launcher)).isTrue();
            UpProcess.Result version = stack.run(launcher, "--version");
            assertThat(version.output()).as(version.output()).startsWith("pgfleet ");
            // The same answers as the checkout's CLI, from the running stack.
            UpProcess.Result list = stack.run(launcher, "list");
            assertThat(list.code()).as(list.output()).isZero();
            assertThat(list.output()).contains("default/from-python", "default/postgres-complete");
            UpProcess.Result status = stack.run(launcher, "status", "from-python");
            assertThat(status.output()).as(status.output()).contains("cluster    READY");
            UpProcess.Result dryRun = stack.run(launcher, "apply", "--dry-run", "-f", launcher.resolveSibling("../examples/postgres-ha.yaml").normalize().toString());
            assertThat(dryRun.output()).as(dryRun.output()).contains("valid (dry run, nothing published)");
            // `up` needs the services, which a checkout holds: said, not a stack trace.
            UpProcess.Result noStack = stack.run(launcher, "up", "--data-dir", installed.resolve("data").toString());
            assertThat(noStack.code()).isEqualTo(1);
            assertThat(noStack.output()).contains("not a pgfleet checkout").doesNotContain("Exception");
        } finally {
            ProcessRunner.run(List.of("rm", "-rf", installed.toString()), Map.of(), Path.of("/"), SLOW);
        }
    }

    @Test
    @Order(9)
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
