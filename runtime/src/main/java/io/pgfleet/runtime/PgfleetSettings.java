package io.pgfleet.runtime;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.events.validation.ValidationPolicy;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * The settings every service shares.
 *
 * <ul>
 *   <li>{@code pgfleet.service-name}: provisioner, user-manager or backup-worker;</li>
 *   <li>{@code pgfleet.default-namespace} (default {@code default}): namespace of commands that name none;</li>
 *   <li>{@code pgfleet.topics.status} (default {@code pgfleet.status}): the topic every status event goes to;</li>
 *   <li>{@code pgfleet.topics.provision}: the topic provision commands are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.topics.scale}: the topic scale commands are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.topics.add-user}: the topic add-user commands are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.topics.add-extension}: the topic add-extension commands are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.topics.backup}: the topic backup commands are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.topics.restore}: the topic restore commands are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.topics.switchover}: the topic switchover commands are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.topics.verify}: the topic verify commands (restore drills) are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.topics.delete}: the topic delete commands are read from, in shared tenancy;</li>
 *   <li>{@code pgfleet.extensions.allowed}: the extension allowlist;</li>
 *   <li>bounds on one command, the same in every service: {@code pgfleet.limits.max-replicas} (16): members of an
 *       instance; {@code pgfleet.limits.max-size} (16Ti): an instance's volume; {@code pgfleet.limits.max-users} (200): users
 *       of an instance, counting those {@code add-user} adds; {@code pgfleet.limits.max-databases} (100): databases of an
 *       instance; {@code pgfleet.limits.max-payload-bytes} (262144): a command record's value, refused unread beyond it;</li>
 *   <li>{@code pgfleet.policy.allow-superusers} (true): whether documents may make superusers;</li>
 *   <li>{@code pgfleet.backup.allowed-endpoints}: the S3 endpoints documents may name ({@code *}: any host name, never an
 *       IP address or localhost);</li>
 *   <li>{@code pgfleet.secrets.require-sealed} (false): every secret field must be sealed.</li>
 * </ul>
 */
@Singleton
public class PgfleetSettings {

    private final String serviceName;
    private final String defaultNamespace;
    private final String statusTopic;
    private final ValidationPolicy validationPolicy;

    public PgfleetSettings(@Value("${pgfleet.service-name}") String serviceName,
                           @Value("${pgfleet.default-namespace:default}") String defaultNamespace,
                           @Value("${pgfleet.topics.status:" + StatusEvent.DEFAULT_TOPIC + "}") String statusTopic,
                           ValidationPolicy validationPolicy) {
        this.serviceName = serviceName;
        this.defaultNamespace = defaultNamespace;
        this.statusTopic = statusTopic;
        this.validationPolicy = validationPolicy;
    }

    /** The rules every service checks commands with, from the configuration (the keys above). */
    @Factory
    static class Policy {

        @Singleton
        ValidationPolicy.Limits limits(@Value("${pgfleet.limits.max-replicas:16}") int maxReplicas,
                                       @Value("${pgfleet.limits.max-size:16Ti}") String maxSize,
                                       @Value("${pgfleet.limits.max-users:200}") int maxUsers,
                                       @Value("${pgfleet.limits.max-databases:100}") int maxDatabases,
                                       @Value("${pgfleet.limits.max-payload-bytes:262144}") int maxPayloadBytes) {
            return new ValidationPolicy.Limits(maxReplicas, maxSize, maxUsers, maxDatabases, maxPayloadBytes);
        }

        @Singleton
        ValidationPolicy validationPolicy(@Value("${pgfleet.extensions.allowed:hstore,pg_stat_statements,pg_trgm,btree_gin,uuid-ossp,pgcrypto}")
                                          List<String> allowedExtensions, ValidationPolicy.Limits limits,
                                          @Value("${pgfleet.policy.allow-superusers:true}") boolean allowSuperusers,
                                          @Value("${pgfleet.backup.allowed-endpoints:*}") List<String> allowedEndpoints,
                                          @Value("${pgfleet.secrets.require-sealed:false}") boolean requireSealed) {
            return new ValidationPolicy(Set.copyOf(allowedExtensions), limits, allowSuperusers, allowedEndpoints, requireSealed);
        }
    }

    public String serviceName() {
        return serviceName;
    }

    public String defaultNamespace() {
        return defaultNamespace;
    }

    public String statusTopic() {
        return statusTopic;
    }

    /** The CloudEvents source of this service's events, e.g. {@code /pgfleet/provisioner}. */
    public URI source() {
        return URI.create("/pgfleet/" + serviceName);
    }

    public ValidationPolicy validationPolicy() {
        return validationPolicy;
    }


    /** The default topic of a command type (listeners name their topics with placeholders of the same defaults). */
    public static String defaultTopic(CommandType type) {
        return type.defaultTopic();
    }
}
