package io.pgfleet.testkit;

import io.pgfleet.servers.PostgresServer;
import io.pgfleet.servers.KafkaBroker;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.status.StatusEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.ClusterDriver;
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
import io.pgfleet.runtime.security.HttpTokens;
import java.time.Clock;
import java.time.Duration;

/**
 * What a service test needs: the shared broker, its own topics and consumer group, a real
 * PostgreSQL for the service's state, a data root for the local driver, a publisher and a status
 * feed. Services started here stop in {@link #close()}, then the local instances tracked are deleted.
 */
public class ServiceFixture implements AutoCloseable {

    /** Address external instances listen on in tests: loopback, never a real interface. */
    public static final String EXTERNAL_ADDRESS = "127.0.0.2";

    public final KafkaBroker kafka;
    public final PostgresServer state = PostgresServer.start();
    public final Path dataRoot;
    public final Map<CommandType, String> topics = new EnumMap<>(CommandType.class);
    public final String statusTopic;
    public final String groupId;
    public final CommandPublisher publisher;
    public final StatusFeed feed;
    /** The key the services' HTTP tokens are signed with ({@link #token}). */
    public final String tokenSecret = HttpTokens.newSecret();
    private final List<EmbeddedServer> started = new ArrayList<>();
    private final Set<InstanceKey> instances = new LinkedHashSet<>();
    private ClusterDriver driver;

    private final String service;

    /** A fixture for the service with this name (provisioner, user-manager, backup-worker). */
    public ServiceFixture(String service) {
        this(service, SharedKafka.get());
    }

    /** A fixture for the service on a broker of the test's own (one that authenticates and authorizes, say). */
    public ServiceFixture(String service, KafkaBroker kafka) {
        this.service = service;
        this.kafka = kafka;
        String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8);
        Arrays.stream(CommandType.values()).forEach(t -> topics.put(t, prefix + "." + t.id()));
        statusTopic = prefix + ".status";
        groupId = prefix + "-" + service;
        try {
            dataRoot = Files.createTempDirectory("pgfleet-clusters-");
            Files.setPosixFilePermissions(dataRoot, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        publisher = new CommandPublisher(kafka, topics);
        feed = new StatusFeed(kafka, statusTopic);
    }

    /** The service's configuration against these servers. */
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
        properties.put("pgfleet.jobs.instance-id", groupId);
        // Work is handed over by the state database's notifications; no test waits for a safety-net poll to find it.
        properties.put("pgfleet.jobs.poll", "1h");
        properties.put("pgfleet.outbox.interval", "1h");
        properties.put("pgfleet.http.token-secret", tokenSecret);
        return properties;
    }

    /** Starts the service (with its HTTP server) on these servers. */
    public EmbeddedServer start() {
        return start(Map.of());
    }

    /** Starts the service with some settings changed. */
    public EmbeddedServer start(Map<String, Object> overrides) {
        return start(overrides, new Object[0]);
    }

    /** Starts the service with some settings changed and some beans given (a {@link MutableClock}). */
    public EmbeddedServer start(Map<String, Object> overrides, Object... beans) {
        Map<String, Object> properties = properties();
        properties.putAll(overrides);
        ApplicationContext context = ApplicationContext.builder().properties(properties).singletons(beans).start();
        EmbeddedServer server = context.getBean(EmbeddedServer.class).start();
        started.add(server);
        driver = server.getApplicationContext().getBean(ClusterDriver.class);
        return server;
    }

    /** A bearer token for the services' views with one role ({@code platform}, {@code auditor}, {@code tenant} of these namespaces). */
    public String token(String role, String... namespaces) {
        return HttpTokens.mint(tokenSecret, "test-" + role, role, List.of(namespaces), Duration.ofHours(1),
                Clock.systemUTC());
    }

    /** The platform's token: every namespace. */
    public String platformToken() {
        return token(HttpTokens.PLATFORM);
    }

    /** The driver of the last service started. */
    public ClusterDriver driver() {
        return driver;
    }

    /** Remembers a local instance, to be deleted when the fixture closes (after the provisioners stop). */
    public InstanceKey track(InstanceKey key) {
        instances.add(key);
        return key;
    }

    /** The service name in status events. */
    public String service() {
        return service;
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
        // The local driver needs no running context; stopped services no longer repair what goes.
        instances.forEach(driver::delete);
        feed.close();
        publisher.close();
        state.close();
    }
}
