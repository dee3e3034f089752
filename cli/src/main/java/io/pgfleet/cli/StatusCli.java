package io.pgfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** One view of an instance gathered from the three services, or from the fleet-state topic. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show an instance as the provisioner, the user-manager and the backup-worker see it: from their views, or from the "
                + "fleet-state topic.")
final class StatusCli implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table (default; wide is the same), or json or yaml: the three views as one document.")
    OutputFormat.Format format;

    @Option(names = "--json", description = "The same as -o json.")
    boolean json;

    @Option(names = "--from-topic", description = "Read the fleet-state topic (pgfleet.instances) instead of the services' views; "
            + "the default when no provisioner URL is given (--provisioner-url, $PGFLEET_PROVISIONER_URL).")
    boolean fromTopic;

    @Mixin
    ServiceViews urls;

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        InstanceKey key = kafka.instance(name);
        if (fromTopic || !ServiceViews.given(spec)) {
            return fromFleet(key, kafka.kafka().fleet().get(key.toString()));
        }
        String path = ServiceUrls.path(key);
        JsonNode cluster = urls.view(urls.provisioner, path);
        JsonNode access = urls.view(urls.userManager, path);
        JsonNode backup = urls.view(urls.backupWorker, path);
        JsonNode backups = backup == null ? null : urls.view(urls.backupWorker, path + "/backups");
        PrintWriter out = spec.commandLine().getOut();
        if (cluster == null && access == null && backup == null) {
            spec.commandLine().getErr().println("pgfleet: no service knows instance " + key);
            return 1;
        }
        if (document()) {
            ObjectNode all = Json.mapper().createObjectNode();
            all.put("instance", key.toString());
            all.set("cluster", cluster);
            all.set("access", access);
            all.set("backup", backup);
            all.set("backups", backups);
            print(out, all);
            return 0;
        }
        out.println("instance   " + key);
        if (cluster != null) {
            out.println("cluster    " + cluster.path("phase").asText() + ": " + cluster.path("message").asText());
            for (JsonNode member : cluster.path("observed").path("members")) {
                member(out, member);
            }
            poolers(out, cluster.path("observed").path("poolers"));
            JsonNode tls = cluster.path("tls");
            if (tls.hasNonNull("sslmode")) {
                out.println("tls        sslmode=" + tls.path("sslmode").asText() + ", CA " + (tls.hasNonNull("caSecret")
                        ? "in Secret " + tls.path("caSecret").asText() + " (ca.crt)" : "from GET /instances/" + key.namespace() + "/" + key.name()
                        + " (tls.caCertificate) or the data root's tls/ca.crt"));
            }
        }
        if (access != null) {
            usersAndDatabases(out, access);
        }
        if (backup != null) {
            out.println("backups    " + (backup.path("enabled").asBoolean() ? "enabled, " + backup.path("schedule").asText() + " UTC, next "
                    + backup.path("nextRun").asText() : "not scheduled") + " -> " + backup.path("s3Bucket").asText());
            if (backups != null) {
                for (JsonNode run : backups) {
                    out.printf("  %-24s %-9s %-10s %s%n", run.path("id").asText(), run.path("status").asText(), run.path("trigger").asText(),
                            run.path("databases"));
                }
            }
        }
        out.flush();
        return 0;
    }

    /**
     * The instance as its latest fleet-state record has it: the same lines from what the three services last published (no
     * next run, no list of backups: the record has the newest one and the recovery window).
     */
    private int fromFleet(InstanceKey key, JsonNode state) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (state == null) {
            spec.commandLine().getErr().println("pgfleet: the fleet-state topic " + kafka.kafka().fleetTopic() + " has no instance " + key);
            return 1;
        }
        if (document()) {
            print(out, state);
            return 0;
        }
        out.println("instance   " + key);
        out.println("cluster    " + state.path("phase").asText() + ": " + state.path("message").asText());
        for (JsonNode member : state.path("members")) {
            member(out, member);
        }
        poolers(out, state.path("poolers"));
        usersAndDatabases(out, state);
        JsonNode backup = state.path("backup");
        if (!backup.isMissingNode() && !backup.isNull()) {
            out.println("backups    " + (backup.path("enabled").asBoolean() ? "enabled, " + backup.path("schedule").asText() + " UTC"
                    : "not scheduled") + (backup.hasNonNull("lastBackup") ? ", newest " + backup.path("lastBackup").asText() + " at "
                    + backup.path("lastBackupAt").asText() : ", none yet") + (backup.hasNonNull("recoverableFrom")
                    ? ", point in time from " + backup.path("recoverableFrom").asText() : ""));
        }
        out.println("as of      " + state.path("updated"));
        out.flush();
        return 0;
    }

    /** Each connection pool: where clients connect and whether it serves ({@code pgfleet connect NAME --pooler} prints its string). */
    private static void poolers(PrintWriter out, JsonNode poolers) {
        for (JsonNode pool : poolers) {
            out.printf("pooler     %-3s %s:%s %s%n", pool.path("pool").asText(), pool.path("host").asText(), pool.path("port").asText(),
                    pool.path("state").asText());
        }
    }

    private static void member(PrintWriter out, JsonNode member) {
        out.printf("  %-22s %-8s %s:%s %s%n", member.path("name").asText(), member.path("role").asText(), member.path("host").asText(),
                member.path("port").asText(), member.path("state").asText());
    }

    /** The users and databases of a view or a fleet-state record (both name them alike). */
    private static void usersAndDatabases(PrintWriter out, JsonNode holder) {
        for (JsonNode user : holder.path("users")) {
            out.printf("user       %-20s %s%n", user.path("name").asText(), user.path("memberOf"));
        }
        for (JsonNode database : holder.path("databases")) {
            out.printf("database   %-20s owner %s, extensions %s%n", database.path("name").asText(), database.path("owner").asText(),
                    database.path("extensions"));
        }
    }

    private boolean document() {
        return json || format == OutputFormat.Format.json || format == OutputFormat.Format.yaml;
    }

    private void print(PrintWriter out, JsonNode document) throws Exception {
        out.print(json || format == OutputFormat.Format.json ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(document) + "\n"
                : Json.yamlMapper().writeValueAsString(document));
        out.flush();
    }
}
