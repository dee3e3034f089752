package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's Grafana dashboard and PrometheusRule: rendered, every query naming only metrics the services expose
 * (the README's list), the rules checked by {@code promtool check rules} and their alerts shown to fire by
 * {@code promtool test rules} (where promtool is installed: the Debian package {@code prometheus}, which CI installs).
 */
class MonitoringChartTest {

    private static final Path CHART = Path.of(System.getProperty("pgfleet.home", "..")).resolve("helm/pgfleet").toAbsolutePath().normalize();

    /** Every metric of pgfleet's own, as exported (the README lists the same). */
    static final Set<String> METRICS = Set.of("pgfleet_instance_phase", "pgfleet_instance_members_desired", "pgfleet_instance_members_ready",
            "pgfleet_replication_lag_bytes", "pgfleet_wal_archive_age_seconds", "pgfleet_wal_archive_waiting_segments",
            "pgfleet_backup_last_success_timestamp_seconds", "pgfleet_backup_schedule_interval_seconds", "pgfleet_wal_recovery_window_seconds",
            "pgfleet_backup_last_verified_timestamp_seconds", "pgfleet_backup_verify_interval_seconds",
            "pgfleet_wal_base_backups", "pgfleet_wal_base_backup_age_seconds", "pgfleet_commands_total", "pgfleet_dead_letters_total",
            "pgfleet_outbox_backlog_events", "pgfleet_job_duration_seconds_bucket", "pgfleet_primary_change_duration_seconds_max");
    private static final Pattern METRIC = Pattern.compile("\\bpgfleet_[a-z_]+");
    /** pgfleet's own labels (not metrics): named so that no Prometheus scrape label ({@code instance}, {@code service}) hides them. */
    static final Set<String> LABELS = Set.of("pgfleet_instance", "pgfleet_service");

    private static List<JsonNode> render(boolean rules) throws IOException {
        String yaml = new Helm(CHART).template().withName("fleet").withNamespace("pgfleet-system")
                .set("kafka.bootstrapServers", "kafka:9092").set("database.url", "jdbc:postgresql://db:5432/pgfleet")
                .set("metrics.prometheusRule.enabled", String.valueOf(rules)).call();
        List<JsonNode> docs = new ArrayList<>();
        com.fasterxml.jackson.databind.MappingIterator<JsonNode> read = Json.yamlMapper().readerFor(JsonNode.class).readValues(yaml);
        while (read.hasNext()) {
            JsonNode doc = read.next();
            if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                docs.add(doc);
            }
        }
        return docs;
    }

    private static JsonNode kind(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
    }

    @Test
    void theDashboardQueriesOnlyMetricsTheServicesExport() throws IOException {
        List<JsonNode> docs = render(false);
        JsonNode map = kind(docs, "ConfigMap", "fleet-dashboard");
        assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        JsonNode dashboard = Json.mapper().readTree(map.at("/data/pgfleet.json").asText());
        assertThat(dashboard.path("uid").asText()).isEqualTo("pgfleet-fleet");
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            panel.path("targets").forEach(t -> used.addAll(metrics(t.path("expr").asText())));
        }
        assertThat(METRICS).containsAll(used);
        assertThat(used).contains("pgfleet_instance_phase", "pgfleet_instance_members_ready", "pgfleet_replication_lag_bytes",
                "pgfleet_backup_last_success_timestamp_seconds", "pgfleet_outbox_backlog_events", "pgfleet_commands_total");
        assertThat(docs).noneMatch(d -> d.path("kind").asText().equals("PrometheusRule"));
    }

    @Test
    void theRulesAlertOnWhatOperatorsMustActOn(@TempDir Path dir) throws Exception {
        JsonNode rule = kind(render(true), "PrometheusRule", "fleet-alerts");
        List<String> alerts = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        rule.at("/spec/groups/0/rules").forEach(r -> {
            alerts.add(r.path("alert").asText());
            used.addAll(metrics(r.path("expr").asText()));
        });
        assertThat(alerts).containsExactly("PgfleetInstanceDegraded", "PgfleetInstanceFailed", "PgfleetBackupLate", "PgfleetBackupMissing",
                "PgfleetRestoreDrillLate", "PgfleetRestoreDrillMissing", "PgfleetReplicationLag", "PgfleetOutboxBacklog", "PgfleetDeadLetters", "PgfleetServiceDown", "PgfleetConsumerLag");
        assertThat(METRICS).containsAll(used);
        // every alert links its runbook: a section of docs/runbooks.md of the alert's name
        String runbooks = Files.readString(CHART.resolve("../../docs/runbooks.md").normalize());
        rule.at("/spec/groups/0/rules").forEach(r -> {
            String url = r.at("/annotations/runbook_url").asText();
            String alert = r.path("alert").asText();
            assertThat(url).as(alert).isEqualTo("https://github.com/pgfleet/pgfleet/blob/main/docs/runbooks.md#" + alert.toLowerCase());
            assertThat(runbooks).as(alert + "'s runbook").contains("\n## " + alert + "\n");
        });

        assumeThat(promtool()).as("promtool (Debian package prometheus) is not installed").isNotNull();
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, Json.yamlMapper().writeValueAsString(rule.get("spec")));
        Run check = run(dir, promtool(), "check", "rules", rules.toString());
        assertThat(check.code()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 11 rules found");

        // The expressions fire on the series they are for (annotations left out of this copy: promtool compares them exactly).
        ObjectNode bare = (ObjectNode) rule.get("spec").deepCopy();
        bare.at("/groups/0/rules").forEach(r -> ((ObjectNode) r).remove("annotations"));
        Files.writeString(dir.resolve("bare.yaml"), Json.yamlMapper().writeValueAsString(bare));
        Files.writeString(dir.resolve("test.yaml"), """
                rule_files: [bare.yaml]
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      # as a scrape through the chart's ServiceMonitor labels them: instance (the pod's address), job,
                      # service, pod, namespace, endpoint, container are Prometheus' own; pgfleet's are pgfleet_*. Two
                      # provisioner replicas report the same instances.
                      - series: 'pgfleet_instance_phase{pgfleet_instance="default/a",phase="DEGRADED",instance="10.0.0.1:8080",job="fleet-provisioner",service="fleet-provisioner",pod="p1",namespace="pgfleet",endpoint="http",container="provisioner"}'
                        values: '0 0 1x20'
                      - series: 'pgfleet_instance_phase{pgfleet_instance="default/a",phase="DEGRADED",instance="10.0.0.2:8080",job="fleet-provisioner",service="fleet-provisioner",pod="p2",namespace="pgfleet",endpoint="http",container="provisioner"}'
                        values: '0 0 1x20'
                      - series: 'pgfleet_instance_phase{pgfleet_instance="default/b",phase="READY",instance="10.0.0.1:8080",job="fleet-provisioner",service="fleet-provisioner",pod="p1",namespace="pgfleet",endpoint="http",container="provisioner"}'
                        values: '1x20'
                      # one backup-worker: default/a's backups stopped, default/c's go on (a late one is not hidden by the others)
                      - series: 'pgfleet_backup_last_success_timestamp_seconds{pgfleet_instance="default/a",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '0x1600'
                      - series: 'pgfleet_backup_schedule_interval_seconds{pgfleet_instance="default/a",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '86400x1600'
                      - series: 'pgfleet_backup_last_success_timestamp_seconds{pgfleet_instance="default/c",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '0+60x1600'
                      - series: 'pgfleet_backup_schedule_interval_seconds{pgfleet_instance="default/c",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '86400x1600'
                      # restore drills weekly: default/a's stopped at the start, default/c's go on, default/d never had one
                      - series: 'pgfleet_backup_last_verified_timestamp_seconds{pgfleet_instance="default/a",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '0x12000'
                      - series: 'pgfleet_backup_verify_interval_seconds{pgfleet_instance="default/a",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '604800x12000'
                      - series: 'pgfleet_backup_last_verified_timestamp_seconds{pgfleet_instance="default/c",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '0+60x12000'
                      - series: 'pgfleet_backup_verify_interval_seconds{pgfleet_instance="default/c",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '604800x12000'
                      - series: 'pgfleet_backup_verify_interval_seconds{pgfleet_instance="default/d",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '604800x12000'
                      - series: 'pgfleet_dead_letters_total{pgfleet_service="provisioner",topic="pgfleet.command.provision.dlq",instance="10.0.0.1:8080",job="fleet-provisioner",service="fleet-provisioner",pod="p1",namespace="pgfleet"}'
                        values: '0 0 1 1 1'
                      - series: 'pgfleet_outbox_backlog_events{pgfleet_service="user-manager",instance="10.0.0.4:8080",job="fleet-user-manager",service="fleet-user-manager",pod="p4",namespace="pgfleet"}'
                        values: '5x20'
                      # the provisioner's two replicas: one down, then both; the user-manager's one, up
                      - series: 'up{instance="10.0.0.1:8080",job="fleet-provisioner",service="fleet-provisioner",pod="p1",namespace="pgfleet"}'
                        values: '1 1 0x30'
                      - series: 'up{instance="10.0.0.2:8080",job="fleet-provisioner",service="fleet-provisioner",pod="p2",namespace="pgfleet"}'
                        values: '1x10 0x30'
                      - series: 'up{instance="10.0.0.4:8080",job="fleet-user-manager",service="fleet-user-manager",pod="p4",namespace="pgfleet"}'
                        values: '1x40'
                      # a Kafka consumer of the backup-worker falls behind on a partition; the user-manager's keeps up
                      - series: 'kafka_consumer_records_lag_records{client_id="c1",partition="0",topic="pgfleet_command_backup",instance="10.0.0.3:8080",job="fleet-backup-worker",service="fleet-backup-worker",pod="p3",namespace="pgfleet"}'
                        values: '0 0 5000x30'
                      - series: 'kafka_consumer_records_lag_records{client_id="c2",partition="0",topic="pgfleet_command_add-user",instance="10.0.0.4:8080",job="fleet-user-manager",service="fleet-user-manager",pod="p4",namespace="pgfleet"}'
                        values: '3x40'
                    alert_rule_test:
                      - eval_time: 9m
                        alertname: PgfleetServiceDown
                      - eval_time: 17m
                        alertname: PgfleetServiceDown
                        exp_alerts:
                          - exp_labels: {severity: critical, job: fleet-provisioner}
                      - eval_time: 8m
                        alertname: PgfleetConsumerLag
                      - eval_time: 14m
                        alertname: PgfleetConsumerLag
                        exp_alerts:
                          - exp_labels: {severity: warning, job: fleet-backup-worker, topic: pgfleet_command_backup}
                      - eval_time: 4m
                        alertname: PgfleetInstanceDegraded
                      - eval_time: 8m
                        alertname: PgfleetInstanceDegraded
                        exp_alerts:
                          - exp_labels: {severity: warning, pgfleet_instance: default/a}
                      - eval_time: 4m
                        alertname: PgfleetDeadLetters
                        exp_alerts:
                          - exp_labels: {severity: warning, pgfleet_service: provisioner, topic: pgfleet.command.provision.dlq}
                      - eval_time: 10m
                        alertname: PgfleetOutboxBacklog
                      - eval_time: 24h
                        alertname: PgfleetBackupLate
                      - eval_time: 26h
                        alertname: PgfleetBackupLate
                        exp_alerts:
                          - exp_labels: {severity: warning, pgfleet_instance: default/a}
                      - eval_time: 26h
                        alertname: PgfleetBackupMissing
                      - eval_time: 7d
                        alertname: PgfleetRestoreDrillLate
                      - eval_time: 8d
                        alertname: PgfleetRestoreDrillLate
                        exp_alerts:
                          - exp_labels: {severity: warning, pgfleet_instance: default/a}
                      - eval_time: 7d
                        alertname: PgfleetRestoreDrillMissing
                      - eval_time: 8d1h
                        alertname: PgfleetRestoreDrillMissing
                        exp_alerts:
                          - exp_labels: {severity: warning, pgfleet_instance: default/d}
                """);
        Run test = run(dir, promtool(), "test", "rules", "test.yaml");
        assertThat(test.code()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    private static Set<String> metrics(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(expr);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        names.removeAll(LABELS);
        return names;
    }

    private record Run(int code, String output) {
    }

    private static Run run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    private static String promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool").toString();
            }
        }
        return null;
    }
}
