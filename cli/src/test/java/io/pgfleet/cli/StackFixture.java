package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.FileTrees;
import io.pgfleet.host.LoopbackPorts;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.testkit.CommandPublisher;
import io.pgfleet.testkit.StatusFeed;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The local stack for a test class (services as processes of their own), a publisher on its command
 * topics, a feed of its status topic, and psql against its instances; closing it stops everything
 * and removes the data directory.
 */
final class StackFixture implements AutoCloseable {

    static final Duration SLOW = Duration.ofMinutes(5);

    final Path dataDir;
    final LocalStack stack;
    /** What drills do to the stack: kills, stops, outages. */
    final StackFaults faults;
    final CommandPublisher publisher;
    final StatusFeed feed;

    StackFixture(String prefix) throws Exception {
        this(prefix, null);
    }

    /** With the broker started by {@code broker} (e.g. as a process of its own), or as {@code pgfleet up} does when null. */
    StackFixture(String prefix, LocalStack.Broker broker) throws Exception {
        Path home = Path.of(System.getProperty("pgfleet.home")).toAbsolutePath().normalize();
        dataDir = Files.createTempDirectory(prefix);
        stack = new LocalStack(home, dataDir, LocalStack.Ports.from(LoopbackPorts.freeBlock(8)), new PrintWriter(System.out, true));
        if (broker != null) {
            stack.broker(broker);
        }
        try {
            stack.start(SLOW);
        } catch (Exception | Error e) {
            stack.close();   // what started before the failure (the broker, the state database, the S3 server) must not outlive it
            throw e;
        }
        faults = new StackFaults(stack);
        Map<CommandType, String> topics = new EnumMap<>(CommandType.class);
        for (CommandType type : CommandType.values()) {
            topics.put(type, type.defaultTopic());
        }
        publisher = new CommandPublisher(stack.kafka(), topics);
        feed = new StatusFeed(stack.kafka(), StatusEvent.DEFAULT_TOPIC);
    }

    /** The value of a service's gauge for an instance on its {@code /prometheus} page, or null while it has none. */
    Double gauge(String service, String name, InstanceKey key) throws Exception {
        String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.url(service) + "/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^" + name + "\\{pgfleet_instance=\"" + java.util.regex.Pattern.quote(key.toString())
                + "\",?\\} (\\S+)$").matcher(page);
        return line.find() ? Double.valueOf(line.group(1)) : null;
    }

    /**
     * Runs one statement with psql (not through pgfleet) on the instance's primary, as found in the provisioner's
     * view; as its superuser when no password is given. Returns psql's output.
     */
    String psql(InstanceKey key, String user, String password, String database, String statement) throws Exception {
        JsonNode view = UpProcess.view(dataDir, stack.url("provisioner"), "/instances/" + key.namespace() + "/" + key.name());
        String primary = null;
        for (JsonNode member : view.path("observed").path("members")) {
            if ("primary".equals(member.path("role").asText())) {
                primary = member.path("port").asText();
            }
        }
        assertThat(primary).as("the primary of " + key + " in " + view).isNotNull();
        String secret = password != null ? password : Files.readString(instanceDir(key).resolve("superuser.password")).strip();
        CommandResult result = ProcessRunner.run(List.of("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", primary,
                "-U", user, "-d", database, "-c", statement), Map.of("PGPASSWORD", secret), dataDir, Duration.ofMinutes(1));
        assertThat(result.ok()).as("psql " + statement + ": " + result.output()).isTrue();
        return result.output().strip();
    }

    /**
     * The events answering a command, each once: a relay that stopped between Kafka's acknowledgement and marking its
     * row (a crash, a broker restart) publishes an event again, and consumers dedupe on ce_id, as this does.
     */
    List<StatusEvent> events(String commandId) {
        Map<String, StatusEvent> distinct = new java.util.LinkedHashMap<>();
        feed.all().stream().filter(r -> commandId.equals(r.event().commandId())).forEach(r -> distinct.putIfAbsent(r.ceId(), r.event()));
        return List.copyOf(distinct.values());
    }

    /** The instance's directory under the stack's data root, whatever its storage class. */
    /**
     * The last warnings and errors of each service's log (every run of it: a service started again appends), for the
     * message of a failed drill: what CI keeps of a run is its output, not the data directory this removes.
     */
    String logExcerpt(int linesPerService) {
        StringBuilder excerpt = new StringBuilder();
        for (String service : stack.serviceNames()) {
            Path log = dataDir.resolve("logs").resolve(service + ".log");
            List<String> lines;
            try (Stream<String> all = Files.lines(log, java.nio.charset.StandardCharsets.UTF_8)) {
                lines = all.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("\tat io.pgfleet")
                        || l.startsWith("Caused by")).map(l -> l.length() > 400 ? l.substring(0, 400) + "…" : l).toList();
            } catch (Exception e) {
                lines = List.of("(log not read: " + e + ")");
            }
            excerpt.append("\n--- ").append(service).append(": last warnings and errors ---\n");
            lines.subList(Math.max(0, lines.size() - linesPerService), lines.size()).forEach(l -> excerpt.append(l).append('\n'));
        }
        return excerpt.toString();
    }

    Path instanceDir(InstanceKey key) throws Exception {
        try (Stream<Path> classes = Files.list(dataDir.resolve("clusters"))) {
            return classes.map(c -> c.resolve(key.namespace()).resolve(key.name())).filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    @Override
    public void close() {
        feed.close();
        publisher.close();
        stack.close();
        // The services' logs outlive the run, for whoever reads a failure.
        try {
            Path kept = Path.of("target", "stack-logs", dataDir.getFileName().toString());
            Files.createDirectories(kept);
            try (Stream<Path> logs = Files.list(dataDir.resolve("logs"))) {
                for (Path log : logs.toList()) {
                    Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (java.io.IOException e) {
            System.err.println("the stack's logs were not kept: " + e);
        }
        FileTrees.delete(dataDir);
    }
}
