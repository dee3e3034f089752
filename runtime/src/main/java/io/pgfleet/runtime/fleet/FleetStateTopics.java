package io.pgfleet.runtime.fleet;

import io.micronaut.context.annotation.Value;
import io.pgfleet.events.fleet.InstanceState;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The fleet-state topics, {@code pgfleet.topics.instances} (default {@code pgfleet.instances}) and its {@code .parts},
 * made compacted: a topic made by a reader before pgfleet (a broker that creates topics on first use) is set to
 * compact too, since a fleet-state topic that deletes old records would forget instances. Checking an existing topic
 * takes DescribeConfigs on it (changing it AlterConfigs); a principal without the first uses the topic as it is, with a
 * warning, one without the second is told what to set.
 */
@Singleton
public class FleetStateTopics {

    private static final Logger LOG = LoggerFactory.getLogger(FleetStateTopics.class);

    private final AdminClient admin;
    private final String instances;
    /** Topics whose compaction could not be checked, told once each. */
    private final Set<String> unchecked = ConcurrentHashMap.newKeySet();

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
    public void ensure() throws ExecutionException, InterruptedException, TimeoutException {
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
                String policy;
                try {
                    policy = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                            .get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                } catch (ExecutionException denied) {
                    if (!(denied.getCause() instanceof TopicAuthorizationException)) {
                        throw denied;
                    }
                    // The topic is there; only its settings may not be read. It is used as it is, and the operator told.
                    if (unchecked.add(topic)) {
                        LOG.warn("cannot check that topic {} is compacted: this principal may not describe its configuration "
                                + "(grant DescribeConfigs on it, see the README's ACLs); it is used as it is", topic);
                    }
                    continue;
                }
                if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                    Collection<AlterConfigOp> set = List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT), AlterConfigOp.OpType.SET));
                    try {
                        admin.incrementalAlterConfigs(Map.of(resource, set)).all().get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException denied) {
                        if (denied.getCause() instanceof TopicAuthorizationException) {
                            throw new IllegalStateException("topic " + topic + " is not compacted (cleanup.policy=" + policy
                                    + ") and this principal may not change it (AlterConfigs): set cleanup.policy=compact on it, or "
                                    + "the fleet state it holds is forgotten as it ages", denied.getCause());
                        }
                        throw denied;
                    }
                }
            }
        }
    }
}
