package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore drills' scratch servers on CloudNativePG: a Cluster of the drill's own ({@link DrillModel}) in the instance's
 * namespace, made, waited for over the drill's steps, handed out once ({@link DrillPlan}), deleted when the drill ends.
 * A drill of a point in time has CloudNativePG recover it from the instance's Barman Cloud store. pgfleet reaches it as it
 * reaches the instance: {@code <cluster>-rw}, {@code verify-full} against the drill Cluster's own CA, as the superuser with
 * pgfleet's client certificate of the instance. Kubernetes calls: get/list/create/delete on clusters, get on secrets.
 */
final class KubernetesDrills implements DrillServers {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesDrills.class);
    /** How long CloudNativePG is given to make a drill's Cluster ready (a recovery replays the WAL up to the time). */
    static final Duration READY_LIMIT = Duration.ofHours(2);
    private static final String GROUP_PREFIX = "pgfleet_drill_";
    /** The login groups pgfleet makes: anything else found in a Cluster's annotation is someone else's, never put into SQL. */
    private static final Pattern OUR_GROUP = Pattern.compile(GROUP_PREFIX + "[0-9a-f]{16}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final String serviceDomain;
    private final ClusterCertificates certificates;
    private final ClientCertificates clientCertificates;

    KubernetesDrills(KubernetesClient client, String serviceDomain, ClusterCertificates certificates, ClientCertificates clientCertificates) {
        this.client = client;
        this.serviceDomain = serviceDomain;
        this.certificates = certificates;
        this.clientCertificates = clientCertificates;
    }

    @Override
    public Made start(InstanceKey instance, String id) {
        return make(instance, id, null, () -> { });
    }

    @Override
    public Made recover(InstanceKey instance, String id, Instant at, Runnable flush) {
        return make(instance, id, at, flush);
    }

    @Override
    public Scratch startFrom(String id, String superuserPassword, DataRestore restore) {
        throw new IllegalStateException("on Kubernetes CloudNativePG recovers a drill's point in time from the Barman Cloud store, not pgBackRest");
    }

    private Made make(InstanceKey instance, String id, Instant at, Runnable flush) {
        String name = DrillModel.clusterName(id);
        try {
            GenericKubernetesResource cluster = clusters(instance).withName(name).get();
            DrillPlan.Seen seen = seen(instance, id, cluster);
            Duration age = cluster == null ? Duration.ZERO : age(cluster);
            switch (DrillPlan.next(seen, age, READY_LIMIT)) {
                case CREATE -> {
                    GenericKubernetesResource original = clusters(instance).withName(instance.name()).get();
                    if (original == null || !Ownership.owns(instance, original.getMetadata())) {
                        throw new IllegalStateException("instance " + instance + " has no Cluster of pgfleet's to make a drill's from");
                    }
                    if (at != null) {
                        flush.run();
                    }
                    byte[] random = new byte[8];
                    RANDOM.nextBytes(random);
                    String group = GROUP_PREFIX + HexFormat.of().formatHex(random);
                    clusters(instance).resource(DrillModel.cluster(instance, original, id, group, at)).create();
                    return Made.waiting("Cluster " + name + " created" + (at == null ? "" : ", recovering " + instance + " to " + at));
                }
                case WAIT -> {
                    return Made.waiting(seen == DrillPlan.Seen.DELETING ? "Cluster " + name + " is being deleted"
                            : "CloudNativePG makes Cluster " + name + ": " + phase(cluster));
                }
                case REMAKE -> {
                    clusters(instance).withName(name).delete();
                    return Made.waiting("Cluster " + name + " was handed out to a drill that did not finish: deleted, to be made again");
                }
                case TAKE -> {
                    return take(instance, cluster, at);
                }
                default -> throw new IllegalStateException(seen == DrillPlan.Seen.FOREIGN
                        ? "Cluster " + name + " in namespace " + instance.namespace() + " exists but is not drill " + id + "'s"
                        : "CloudNativePG did not make Cluster " + name + " ready within " + READY_LIMIT.toHours() + " h: " + phase(cluster));
            }
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("Kubernetes refused a call for drill " + id + " of " + instance + ": " + e.getMessage(), e);
        }
    }

    private static DrillPlan.Seen seen(InstanceKey instance, String id, GenericKubernetesResource cluster) {
        if (cluster == null) {
            return DrillPlan.Seen.ABSENT;
        }
        Map<String, String> labels = cluster.getMetadata().getLabels() == null ? Map.of() : cluster.getMetadata().getLabels();
        if (!labels.entrySet().containsAll(DrillModel.labels(instance, id).entrySet())) {
            return DrillPlan.Seen.FOREIGN;
        }
        if (cluster.getMetadata().getDeletionTimestamp() != null) {
            return DrillPlan.Seen.DELETING;
        }
        return ClusterStatus.of(cluster).readyInstances() >= 1 ? DrillPlan.Seen.READY : DrillPlan.Seen.MAKING;
    }

    /**
     * The ready Cluster handed out, once: its login group is made as it is handed out, so a Cluster whose group exists was
     * handed out before (its drill was killed, maybe halfway through a restore) and is made again instead. A Cluster that
     * does not answer yet is not handed out: it stays as it is for the next step.
     */
    private Made take(InstanceKey instance, GenericKubernetesResource cluster, Instant at) {
        String name = cluster.getMetadata().getName();
        String group = annotations(cluster).getOrDefault(DrillModel.LOGIN_GROUP_ANNOTATION, "");
        if (!OUR_GROUP.matcher(group).matches()) {
            throw new IllegalStateException("Cluster " + name + " carries no login group pgfleet made; it is not used");
        }
        Optional<Path> ca = certificates.caFile(new InstanceKey(instance.namespace(), name));
        Optional<Endpoint.ClientCertificate> superuser = clientCertificates.files(instance);
        if (ca.isEmpty() || superuser.isEmpty()) {
            return Made.waiting("Cluster " + name + " is ready; waiting for " + (ca.isEmpty() ? "its CA (Secret " + name + "-ca)"
                    : "pgfleet's client certificate of " + instance));
        }
        Endpoint endpoint = new Endpoint(CnpgModel.primaryService(new InstanceKey(instance.namespace(), name)) + "." + instance.namespace()
                + "." + serviceDomain, CnpgModel.POSTGRES_PORT, ClientCertificates.SUPERUSER, null, ca.get(), superuser.get());
        Instant lastTransaction;
        try (Connection connection = DriverManager.getConnection(endpoint.sessionUrl("postgres"), endpoint.sessionProperties())) {
            DrillPlan.Seen seen = handedOutBefore(connection, group) ? DrillPlan.Seen.TAKEN : DrillPlan.Seen.READY;
            if (DrillPlan.next(seen, Duration.ZERO, READY_LIMIT) == DrillPlan.Action.REMAKE) {
                clusters(instance).withName(name).delete();
                return Made.waiting("Cluster " + name + " was handed out to a drill that did not finish: deleted, to be made again");
            }
            lastTransaction = handOut(connection, group, at != null);
        } catch (SQLException e) {
            return Made.waiting("Cluster " + name + " is ready but does not answer yet: " + e.getMessage());
        }
        LOG.info("restore drill of {}: Cluster {} ready{}", instance, name, lastTransaction == null ? "" : " (last transaction committed at " + lastTransaction + ")");
        return new Made(new Scratch(endpoint, group, lastTransaction), null, created(cluster));
    }

    /** Whether the drill's server was handed out before: its login group exists. */
    static boolean handedOutBefore(Connection connection, String group) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
            exists.setString(1, group);
            try (ResultSet row = exists.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * Hands the drill's server out: its login group made (a name of pgfleet's making, checked before); for a recovered
     * one, the commit time of the last transaction recovery replayed, while the server still knows it (it forgets on a
     * restart, as CloudNativePG's after its recovery job: {@code null} then), else {@code null}.
     */
    static Instant handOut(Connection connection, String group, boolean recovered) throws SQLException {
        if (!OUR_GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("'" + group + "' is not a login group pgfleet made");
        }
        try (Statement sql = connection.createStatement()) {
            sql.execute("CREATE ROLE " + group + " NOLOGIN");
            if (!recovered) {
                return null;
            }
            try (ResultSet row = sql.executeQuery("SELECT pg_catalog.pg_last_xact_replay_timestamp()")) {
                row.next();
                Timestamp at = row.getTimestamp(1);
                return at == null ? null : at.toInstant();
            }
        }
    }

    @Override
    public void remove(InstanceKey instance, String id) {
        if (instance == null) {
            return;
        }
        String name = DrillModel.clusterName(id);
        try {
            GenericKubernetesResource cluster = clusters(instance).withName(name).get();
            DrillPlan.Seen seen = seen(instance, id, cluster);
            if (seen != DrillPlan.Seen.ABSENT && seen != DrillPlan.Seen.FOREIGN && seen != DrillPlan.Seen.DELETING) {
                clusters(instance).withName(name).delete();
                LOG.info("restore drill {} of {}: Cluster {} deleted", id, instance, name);
            }
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("Kubernetes refused to delete Cluster " + name + " of drill " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Found> existing(Collection<InstanceKey> instances) {
        List<Found> found = new ArrayList<>();
        for (String namespace : new TreeSet<>(instances.stream().map(InstanceKey::namespace).toList())) {
            for (GenericKubernetesResource cluster : client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(namespace)
                    .withLabel(CnpgModel.MANAGED_BY, "pgfleet").withLabel(DrillModel.DRILL_LABEL).list().getItems()) {
                Map<String, String> labels = cluster.getMetadata().getLabels();
                String of = labels.get(DrillModel.DRILL_OF_LABEL);
                if (of != null && cluster.getMetadata().getName().equals(DrillModel.clusterName(labels.get(DrillModel.DRILL_LABEL)))) {
                    found.add(new Found(labels.get(DrillModel.DRILL_LABEL), new InstanceKey(namespace, of)));
                }
            }
        }
        return found;
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> clusters(
            InstanceKey instance) {
        return client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(instance.namespace());
    }

    private static Map<String, String> annotations(GenericKubernetesResource cluster) {
        return cluster.getMetadata().getAnnotations() == null ? Map.of() : cluster.getMetadata().getAnnotations();
    }

    private static Instant created(GenericKubernetesResource cluster) {
        try {
            return cluster.getMetadata().getCreationTimestamp() == null ? null : Instant.parse(cluster.getMetadata().getCreationTimestamp());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Duration age(GenericKubernetesResource cluster) {
        Instant created = created(cluster);
        return created == null ? Duration.ZERO : Duration.between(created, Instant.now());
    }

    private static String phase(GenericKubernetesResource cluster) {
        ClusterStatus status = ClusterStatus.of(cluster);
        return status.readyInstances() + " ready" + (status.phase().isEmpty() ? "" : " (" + status.phase() + ")");
    }
}
