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

/** One view of an instance gathered from the three services. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show an instance as the provisioner, the user-manager and the backup-worker see it.")
final class StatusCli implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table (default; wide is the same), or json or yaml: the three views as one document.")
    OutputFormat.Format format;

    @Option(names = "--json", description = "The same as -o json.")
    boolean json;

    @Mixin
    ServiceUrls urls;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        InstanceKey key = urls.instance(name);
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
        if (json || format == OutputFormat.Format.json || format == OutputFormat.Format.yaml) {
            ObjectNode all = Json.mapper().createObjectNode();
            all.put("instance", key.toString());
            all.set("cluster", cluster);
            all.set("access", access);
            all.set("backup", backup);
            all.set("backups", backups);
            out.print(json || format == OutputFormat.Format.json ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(all) + "\n"
                    : Json.yamlMapper().writeValueAsString(all));
            out.flush();
            return 0;
        }
        out.println("instance   " + key);
        if (cluster != null) {
            out.println("cluster    " + cluster.path("phase").asText() + ": " + cluster.path("message").asText());
            for (JsonNode member : cluster.path("observed").path("members")) {
                out.printf("  %-22s %-8s %s:%s %s%n", member.path("name").asText(), member.path("role").asText(), member.path("host").asText(),
                        member.path("port").asText(), member.path("state").asText());
            }
            JsonNode tls = cluster.path("tls");
            if (tls.hasNonNull("sslmode")) {
                out.println("tls        sslmode=" + tls.path("sslmode").asText() + ", CA " + (tls.hasNonNull("caSecret")
                        ? "in Secret " + tls.path("caSecret").asText() + " (ca.crt)" : "from GET /instances/" + key.namespace() + "/" + key.name()
                        + " (tls.caCertificate) or the data root's tls/ca.crt"));
            }
        }
        if (access != null) {
            for (JsonNode user : access.path("users")) {
                out.printf("user       %-20s %s%n", user.path("name").asText(), user.path("memberOf"));
            }
            for (JsonNode database : access.path("databases")) {
                out.printf("database   %-20s owner %s, extensions %s%n", database.path("name").asText(), database.path("owner").asText(),
                        database.path("extensions"));
            }
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
}
