package io.pgfleet.runtime.tenancy;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.status.StatusEvent;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which topics carry which commands, and where their answers go.
 *
 * <p>{@code pgfleet.tenancy.mode} (default {@code shared}): {@code shared} or {@code namespaced}, how commands reach
 * the services. {@code shared} (single-tenant installs): one topic per command type
 * ({@code pgfleet.topics.<type>}, default {@code pgfleet.command.<type>}) and one status topic
 * ({@code pgfleet.topics.status}). {@code namespaced}: each namespace has its own command topics
 * {@code pgfleet.<namespace>.command.<type>} and status topic {@code pgfleet.<namespace>.status}, so that Kafka's
 * prefixed ACLs on {@code pgfleet.<namespace>.} decide which principal commands which namespace; every status event
 * is also written to the fleet topic {@code pgfleet.tenancy.fleet-status-topic} (default {@code pgfleet.status},
 * empty for none) for auditors. In both modes a command is what its topic says.
 */
@Singleton
public class Tenancy {

    /** A namespace as Kubernetes names it (an RFC 1123 label), so it never contains the topic's separator. */
    static final String NAMESPACE = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
    private static final Pattern TENANT_TOPIC = Pattern.compile("pgfleet\\.(" + NAMESPACE + ")\\.command\\.([a-z-]+)");

    /** Where a record came from: the command type its topic carries, and the namespace its topic belongs to (tenant mode). */
    public record Origin(CommandType type, String namespace) {
    }

    private final boolean namespaced;
    private final Map<CommandType, String> sharedTopics = new EnumMap<>(CommandType.class);
    private final String sharedStatusTopic;
    private final String fleetStatusTopic;

    public Tenancy(Environment environment, @Value("${pgfleet.tenancy.mode:shared}") String mode,
                   @Value("${pgfleet.topics.status:" + StatusEvent.DEFAULT_TOPIC + "}") String statusTopic,
                   @Value("${pgfleet.tenancy.fleet-status-topic:" + StatusEvent.DEFAULT_TOPIC + "}") String fleetStatusTopic) {
        if (!mode.equals("shared") && !mode.equals("namespaced")) {
            throw new IllegalArgumentException("pgfleet.tenancy.mode is '" + mode + "'; it is 'shared' or 'namespaced'");
        }
        this.namespaced = mode.equals("namespaced");
        for (CommandType type : CommandType.values()) {
            sharedTopics.put(type, environment.getProperty("pgfleet.topics." + type.id(), String.class).orElse(type.defaultTopic()));
        }
        this.sharedStatusTopic = statusTopic;
        this.fleetStatusTopic = fleetStatusTopic;
    }

    /** Whether each namespace has topics of its own. */
    public boolean namespaced() {
        return namespaced;
    }

    /** The type and (tenant mode) namespace a command topic stands for; empty for a topic that carries no commands. */
    public Optional<Origin> origin(String topic) {
        if (namespaced) {
            Matcher matcher = TENANT_TOPIC.matcher(topic);
            if (!matcher.matches()) {
                return Optional.empty();
            }
            return CommandType.fromId(matcher.group(3)).map(type -> new Origin(type, matcher.group(1)));
        }
        return sharedTopics.entrySet().stream().filter(e -> e.getValue().equals(topic)).map(e -> new Origin(e.getKey(), null)).findFirst();
    }

    /** The topic commands of this type for this namespace are published on. */
    public String commandTopic(CommandType type, String namespace) {
        return namespaced ? type.tenantTopic(namespace) : sharedTopics.get(type);
    }

    /** The topics a status event about an instance of this namespace is written to. */
    public List<String> statusTopics(String namespace) {
        if (!namespaced) {
            return List.of(sharedStatusTopic);
        }
        List<String> topics = new ArrayList<>(List.of(StatusEvent.tenantTopic(namespace)));
        if (!fleetStatusTopic.isBlank()) {
            topics.add(fleetStatusTopic);
        }
        return topics;
    }
}
