package io.pgfleet.runtime.fleet;

import io.micronaut.context.annotation.Value;
import io.pgfleet.events.fleet.InstanceState;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The fleet-state topics, {@code pgfleet.topics.instances} (default {@code pgfleet.instances}) and its {@code .parts},
 * made compacted: a topic made by a reader before pgfleet (a broker that creates topics on first use) is set to
 * compact too, since a fleet-state topic that deletes old records would forget instances.
 */
@Singleton
public class FleetStateTopics {

    private final AdminClient admin;
    private final String instances;

    public FleetStateTopics(AdminClient admin, @Value("${pgfleet.topics.instances:" + InstanceState.DEFAULT_TOPIC + "}") String instances) {
        this.admin = admin;
        this.instances = instances;
    }

    public String instances() {
        return instances;
    }

    public String parts() {
        return instances + ".parts";
    }

    /** Makes both topics, compacted, when they are missing, and sets compaction on those that are not. */
    public void ensure() throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        Map<String, String> compact = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        for (String topic : List.of(instances, parts())) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()).configs(compact))).all()
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                String policy = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                        .get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                    Collection<AlterConfigOp> set = List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT), AlterConfigOp.OpType.SET));
                    admin.incrementalAlterConfigs(Map.of(resource, set)).all().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }
}
