package io.pgfleet.provisioner;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.testkit.CommandPublisher;
import io.pgfleet.testkit.KafkaBroker;
import io.pgfleet.testkit.PostgresServer;
import io.pgfleet.testkit.SharedKafka;
import io.pgfleet.testkit.StatusFeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.cluster.ClusterDriver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What a provisioner test needs: the shared broker, its own topics and consumer group, a real
 * PostgreSQL for the provisioner's state, a data root for the local driver, a publisher and a
 * status feed. Servers started here stop in {@link #close()}.
 */
public final class ProvisionerFixture implements AutoCloseable {

    /** Address external instances listen on in tests: loopback, never a real interface. */
    public static final String EXTERNAL_ADDRESS = "127.0.0.2";

    public final KafkaBroker kafka = SharedKafka.get();
    public final PostgresServer state = PostgresServer.start();
    public final Path dataRoot;
    public final Map<CommandType, String> topics = new EnumMap<>(CommandType.class);
    public final String statusTopic;
    public final String groupId;
    public final CommandPublisher publisher;
    public final StatusFeed feed;
    private final List<EmbeddedServer> started = new ArrayList<>();
    private final Set<InstanceKey> instances = new LinkedHashSet<>();
    private ClusterDriver driver;

    public ProvisionerFixture() {
        String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8);
        Arrays.stream(CommandType.values()).forEach(t -> topics.put(t, prefix + "." + t.id()));
        statusTopic = prefix + ".status";
        groupId = prefix + "-provisioner";
        try {
            dataRoot = Files.createTempDirectory("pgfleet-clusters-");
            Files.setPosixFilePermissions(dataRoot, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        publisher = new CommandPublisher(kafka, topics);
        feed = new StatusFeed(kafka, statusTopic);
    }

    /** The provisioner's configuration against these servers. */
    public Map<String, Object> properties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        properties.put("datasources.default.url", state.jdbcUrl("postgres"));
        properties.put("datasources.default.username", PostgresServer.SUPERUSER);
        properties.put("datasources.default.password", state.password());
        properties.put("micronaut.server.port", -1);
        properties.put("pgfleet.kafka.group-id", groupId);
        properties.put("pgfleet.topics.status", statusTopic);
        properties.put("pgfleet.default-namespace", "tenant-a");
        properties.putAll(topics.entrySet().stream().collect(Collectors.toMap(e -> "pgfleet.topics." + e.getKey().id(), Map.Entry::getValue)));
        properties.put("pgfleet.local.data-root", dataRoot.toString());
        properties.put("pgfleet.local.external-address", EXTERNAL_ADDRESS);
        properties.put("pgfleet.provisioner.health-interval", "1s");
        properties.put("pgfleet.jobs.instance-id", groupId);
        properties.put("pgfleet.outbox.interval", "100ms");
        return properties;
    }

    /** Starts a provisioner (with its HTTP server) on these servers. */
    public EmbeddedServer startProvisioner() {
        return startProvisioner(Map.of());
    }

    /** Starts a provisioner with some settings changed. */
    public EmbeddedServer startProvisioner(Map<String, Object> overrides) {
        Map<String, Object> properties = properties();
        properties.putAll(overrides);
        EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties);
        started.add(server);
        driver = server.getApplicationContext().getBean(ClusterDriver.class);
        return server;
    }

    /** The driver of the last provisioner started. */
    public ClusterDriver driver() {
        return driver;
    }

    /** Remembers a local instance, to be deleted when the fixture closes (after the provisioners stop). */
    public InstanceKey track(InstanceKey key) {
        instances.add(key);
        return key;
    }

    /** The service name in status events. */
    public static String service() {
        return "provisioner";
    }

    /** A StatusEvent's short form for assertion messages. */
    public static String brief(StatusEvent e) {
        return e.phase() + (e.step() != null ? "(" + e.step() + ")" : "") + ": " + e.message();
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        // The local driver needs no running context; stopped provisioners no longer repair what goes.
        instances.forEach(driver::delete);
        feed.close();
        publisher.close();
        state.close();
    }
}
