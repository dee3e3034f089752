package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart's README is made from {@code values.yaml}: every value with its default and the comment above it (or beside
 * it), so it is never kept by hand. Stale: regenerate with {@code mvn -pl cli test -Dtest=ChartReadmeTest
 * -Dpgfleet.regenerate=true} and commit it. Every value must be documented.
 */
class ChartReadmeTest {

    private static final Path HOME = Path.of(System.getProperty("pgfleet.home", "..")).toAbsolutePath().normalize();
    private static final Path CHART = HOME.resolve("helm/pgfleet");
    private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z][A-Za-z0-9_-]*):(?: +(.*?))?$");
    private static final Pattern COMMENT = Pattern.compile("^ *# ?(.*)$");
    private static final Pattern TRAILING = Pattern.compile("^(.*?\\S)\\s+#\\s?(.*)$");

    /** A value of the chart: its path, its default as written, and what the comments say of it. */
    record Value(String path, String defaultValue, String description) {
    }

    /**
     * The values of a values file, leaves only (a key whose value is given on its line: a scalar, {@code {}} or {@code []},
     * or a flow map). A value's description is the comment block right above it, or the comment beside it.
     */
    static List<Value> values(List<String> lines) {
        List<Value> values = new ArrayList<>();
        Deque<String[]> parents = new ArrayDeque<>();   // {indent, key}
        List<String> comment = new ArrayList<>();
        for (String line : lines) {
            Matcher c = COMMENT.matcher(line);
            if (c.matches()) {
                comment.add(c.group(1).strip());
                continue;
            }
            Matcher k = KEY.matcher(line);
            if (line.isBlank() || !k.matches()) {
                comment.clear();
                continue;   // a blank line, a list item or a continued value
            }
            int indent = k.group(1).length();
            while (!parents.isEmpty() && Integer.parseInt(parents.peek()[0]) >= indent) {
                parents.pop();
            }
            String value = k.group(3) == null ? "" : k.group(3);
            String beside = null;
            // A comment beside the value, after its closing quote when it is quoted (a '#' inside quotes is the value's).
            int from = value.startsWith("\"") || value.startsWith("'") ? Math.max(0, value.indexOf(value.charAt(0), 1)) : 0;
            Matcher t = TRAILING.matcher(value.substring(from));
            if (t.matches()) {
                value = value.substring(0, from) + t.group(1);
                beside = t.group(2).strip();
            }
            StringBuilder path = new StringBuilder();
            parents.descendingIterator().forEachRemaining(p -> path.append(p[1]).append('.'));
            path.append(k.group(2));
            if (value.isEmpty()) {
                parents.push(new String[] {Integer.toString(indent), k.group(2)});
            } else {
                values.add(new Value(path.toString(), value, !comment.isEmpty() ? String.join(" ", comment) : beside));
            }
            comment.clear();
        }
        return values;
    }

    static String readme(List<Value> values) {
        StringBuilder text = new StringBuilder("""
                # pgfleet Helm chart

                <!-- Made from values.yaml by ChartReadmeTest (cli); edit the comments there, then regenerate. -->

                Deploys pgfleet's three services — the provisioner, the user-manager and the backup-worker — on Kubernetes,
                driving CloudNativePG. What it needs first (CloudNativePG and its Barman Cloud plugin, Kafka topics and ACLs, the
                state database, the Secrets) and how to install it from an empty cluster: [docs/deploy.md](../../docs/deploy.md);
                the multi-tenant settings: [docs/security.md](../../docs/security.md).

                ```
                helm install pgfleet helm/pgfleet --namespace pgfleet \\
                  --set kafka.bootstrapServers=kafka:9092 --set database.url=jdbc:postgresql://pgfleet-db:5432/pgfleet
                ```

                `values.schema.json` refuses a misspelled enum value, a malformed digest or a negative replica count at install.

                ## Values

                | value | default | what it does |
                |---|---|---|
                """);
        for (Value value : values) {
            text.append("| `").append(value.path()).append("` | `").append(value.defaultValue().replace("|", "\\|")).append("` | ")
                    .append(value.description() == null ? "" : value.description().replace("|", "\\|")).append(" |\n");
        }
        return text.toString();
    }

    @Test
    void theReadmeIsMadeFromTheValuesAndEveryValueIsDocumented() throws IOException {
        List<Value> values = values(Files.readAllLines(CHART.resolve("values.yaml"), StandardCharsets.UTF_8));
        assertThat(values).extracting(Value::path).contains("image.repository", "kafka.bootstrapServers", "database.url",
                "services.provisioner.replicas", "metrics.prometheusRule.degradedFor", "secrets.requireSealed");
        assertThat(values).filteredOn(v -> v.description() == null).extracting(Value::path).as("values without a comment").isEmpty();
        String expected = readme(values);
        Path readme = CHART.resolve("README.md");
        if (Boolean.getBoolean("pgfleet.regenerate")) {
            Files.writeString(readme, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(readme)).as(readme + " is missing; regenerate with -Dpgfleet.regenerate=true").isTrue();
        assertThat(Files.readString(readme, StandardCharsets.UTF_8))
                .as(readme + " is stale; regenerate with mvn -pl cli test -Dtest=ChartReadmeTest -Dpgfleet.regenerate=true").isEqualTo(expected);
    }

    @Test
    void aValueTakesTheCommentRightAboveItOrBesideIt() {
        List<Value> values = values(List.of(
                "# Where it runs.",
                "nodeSelector: {}",
                "",
                "# The state.",
                "database:",
                "  url: \"a # b\"   # required",
                "  # The user.",
                "  username: pgfleet",
                "  port: 5432"));
        assertThat(values).containsExactly(
                new Value("nodeSelector", "{}", "Where it runs."),
                new Value("database.url", "\"a # b\"", "required"),
                new Value("database.username", "pgfleet", "The user."),
                new Value("database.port", "5432", null));
    }
}
