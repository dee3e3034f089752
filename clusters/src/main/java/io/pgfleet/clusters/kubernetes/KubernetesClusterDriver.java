package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.PrimaryMember;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.Member;
import io.pgfleet.clusters.Observation;
import io.pgfleet.clusters.PoolerEndpoint;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.pgfleet.clusters.ArchiveTarget;
import io.pgfleet.runtime.credentials.CredentialStores;
import io.pgfleet.runtime.credentials.KubernetesCredentialStore;
import io.pgfleet.clusters.Recovery;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Clusters as CloudNativePG {@code Cluster} resources (and a LoadBalancer Service when external),
 * created or updated with plain create/update calls, readiness read from the Cluster's status.
 * The Kubernetes calls it makes: get/create/update/delete on clusters.postgresql.cnpg.io and on
 * services, get on secrets.
 *
 * <p>It only touches what it owns: a Cluster or Service that exists without pgfleet's labels for that instance
 * ({@link CnpgModel#labels}) is never updated, deleted or taken over, nor connected to; such a command ends {@code FAILED}
 * saying so. Sessions on the primary verify its certificate ({@code sslmode=verify-full}) against the Cluster's CA
 * ({@link ClusterCertificates}) and authenticate as its superuser with a client certificate of the instance's own client
 * CA, kept in pgfleet's namespace ({@link ClientCertificates}): the tenant's namespace holds no superuser password.
 */
@Singleton
@Requires(property = "pgfleet.driver", value = "kubernetes")
public class KubernetesClusterDriver implements ClusterDriver {

    private final KubernetesClient client;
    private final String serviceDomain;
    private final KubernetesArchive archive;
    private final KubernetesRestore restore;
    private final ClusterCertificates certificates;
    private final ClientCertificates clientCertificates;
    private final KubernetesDrills drills;

    /**
     * {@code pgfleet.kubernetes.service-domain} (default {@code svc}): the domain of the Clusters' Service names the
     * services connect to ({@code <cluster>-rw.<namespace>.<domain>}; {@code svc.cluster.local} where search domains do
     * not resolve {@code svc}). {@code pgfleet.kubernetes.ca-directory} (default: {@code pgfleet-cluster-ca} in the
     * temporary directory): where the Clusters' CA certificates and pgfleet's client keys are written for the sessions
     * that verify them, readable by the service only.
     *
     * @param home pgfleet's own namespace ({@code pgfleet.kubernetes.namespace}; blank: the Kubernetes client's), where the
     *             instances' client CAs and pgfleet's client certificates are kept
     */
    @Inject
    public KubernetesClusterDriver(KubernetesClient client, @Value("${pgfleet.kubernetes.service-domain:svc}") String serviceDomain,
                                   @Value("${pgfleet.kubernetes.ca-directory:}") String caDirectory,
                                   @Value("${pgfleet.kubernetes.namespace:}") String home) {
        this.client = client;
        this.serviceDomain = serviceDomain;
        this.archive = new KubernetesArchive(client);
        this.restore = new KubernetesRestore(client);
        Path directory = caDirectory.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "pgfleet-cluster-ca") : Path.of(caDirectory);
        this.certificates = new ClusterCertificates(client, directory);
        String homeNamespace = home.isBlank() ? client.getNamespace() : home;
        this.clientCertificates = new ClientCertificates(client, KubernetesCredentialStore.inHome(client, CredentialStores.CLIENT,
                homeNamespace == null || homeNamespace.isBlank() ? "default" : homeNamespace), directory.resolve("client"));
        this.drills = new KubernetesDrills(client, serviceDomain, certificates, clientCertificates);
    }

    /** A driver whose own namespace is {@code pgfleet-system}. */
    public KubernetesClusterDriver(KubernetesClient client, String serviceDomain) {
        this(client, serviceDomain, "", "pgfleet-system");
    }

    /** The instance's ObjectStore and ScheduledBackup, made or brought to what {@code target} says. */
    @Override
    public Optional<String> declareArchive(InstanceKey key, ArchiveTarget target) {
        return archive.declare(key, target);
    }

    /** CloudNativePG's Barman Cloud plugin archives the WAL and takes the base backups. */
    @Override
    public boolean archivesItself() {
        return true;
    }

    /** Restore drills' Clusters ({@link KubernetesDrills}). */
    @Override
    public Optional<DrillServers> drills() {
        return Optional.of(drills);
    }

    @Override
    public Optional<Instant> recoverableFrom(InstanceKey key) {
        return archive.recoverableFrom(key);
    }

    /** The Cluster replaced by one CloudNativePG recovers to the time ({@link KubernetesRestore}). */
    @Override
    public Step recover(InstanceKey key, Recovery recovery) {
        try {
            return restore.step(key, recovery);
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("Kubernetes refused a call for " + key + ": " + e.getMessage(), e);
        }
    }

    /** One step: look ({@link #look}), plan ({@link KubernetesPlanner}), carry out the one action. */
    @Override
    public Step apply(InstanceKey key, ClusterSpec desired) {
        try {
            KubernetesPlanner.Seen seen = look(key, desired);
            KubernetesPlanner.Action action = KubernetesPlanner.next(seen);
            return carryOut(action, key, desired, seen);
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("Kubernetes refused a call for " + key + ": " + e.getMessage(), e);
        }
    }

    /** What the planner decides on: the restore under way, the Cluster, the client certificates, the Service, the specs. */
    @SuppressWarnings("unchecked")
    private KubernetesPlanner.Seen look(InstanceKey key, ClusterSpec desired) {
        Optional<String> restoring = restoring(key);
        if (restoring.isPresent()) {
            return KubernetesPlanner.Seen.restoring(key, restoring.get());
        }
        GenericKubernetesResource existing = clusters(key).withName(key.name()).get();
        KubernetesPlanner.Presence cluster = presence(key, existing == null ? null : existing.getMetadata());
        if (cluster == KubernetesPlanner.Presence.FOREIGN) {
            // Not pgfleet's: nothing more of the instance's names is looked at, its Secrets least of all.
            return new KubernetesPlanner.Seen(key, Optional.empty(), cluster, Optional.empty(), false, KubernetesPlanner.Presence.ABSENT,
                    desired.external(), null, null, null, desired.replicas(), List.of());
        }
        Service service = client.services().inNamespace(key.namespace()).withName(CnpgModel.externalServiceName(key)).get();
        ClientCertificates.Certified certified = clientCertificates.observe(key, Instant.now());
        GenericKubernetesResource wanted = CnpgModel.cluster(key, desired);
        Map<String, Object> wantedSpec = (Map<String, Object>) wanted.getAdditionalProperties().get("spec");
        return new KubernetesPlanner.Seen(key, Optional.empty(), cluster, certified.refused(), certified.inPlace(), presence(key, service == null ? null : service.getMetadata()), desired.external(),
                existing == null ? null : (Map<String, Object>) existing.getAdditionalProperties().get("spec"),
                existing == null ? wantedSpec : BarmanModel.keepRecovery(wantedSpec, existing),
                existing == null ? ClusterStatus.of(wanted) : ClusterStatus.of(existing), desired.replicas(), poolers(key, desired));
    }

    /** Each Pooler of the instance as it is and as the document renders it. */
    @SuppressWarnings("unchecked")
    private List<KubernetesPlanner.PoolerSeen> poolers(InstanceKey key, ClusterSpec desired) {
        List<KubernetesPlanner.PoolerSeen> poolers = new ArrayList<>();
        for (String type : PoolerModel.TYPES) {
            GenericKubernetesResource existing = poolers(key).withName(PoolerModel.name(key, type)).get();
            poolers.add(new KubernetesPlanner.PoolerSeen(type, PoolerModel.wanted(desired, type), presence(key, existing == null ? null : existing.getMetadata()),
                    existing == null ? null : (Map<String, Object>) existing.getAdditionalProperties().get("spec"), PoolerModel.spec(key, desired, type)));
        }
        return poolers;
    }

    private static KubernetesPlanner.Presence presence(InstanceKey key, ObjectMeta metadata) {
        return metadata == null ? KubernetesPlanner.Presence.ABSENT
                : Ownership.owns(key, metadata) ? KubernetesPlanner.Presence.OURS : KubernetesPlanner.Presence.FOREIGN;
    }

    private Step carryOut(KubernetesPlanner.Action action, InstanceKey key, ClusterSpec desired, KubernetesPlanner.Seen seen) {
        if (action instanceof KubernetesPlanner.Action.AwaitRestore restoring) {
            return Step.waitFor(restoring.what(), Duration.ofSeconds(5));
        } else if (action instanceof KubernetesPlanner.Action.Refuse refuse) {
            return Step.failed(refuse.reason());
        } else if (action instanceof KubernetesPlanner.Action.Certify) {
            // pgfleet's superuser sessions authenticate with a certificate of the instance's own client CA (no password in
            // the tenant's namespace): the CA and the Secrets CloudNativePG reads exist before the Cluster names them.
            return clientCertificates.ensure(key, Instant.now()).map(Step::failed)
                    .orElseGet(() -> Step.next("client certificates of " + key.name() + " in place"));
        } else if (action instanceof KubernetesPlanner.Action.CreateCluster) {
            clusters(key).resource(CnpgModel.cluster(key, desired)).create();
            return Step.waitFor("Cluster " + key.name() + " created", Duration.ofSeconds(1));
        } else if (action instanceof KubernetesPlanner.Action.CreateService) {
            client.services().inNamespace(key.namespace()).resource(CnpgModel.externalService(key)).create();
            return Step.next("Service " + CnpgModel.externalServiceName(key) + " created");
        } else if (action instanceof KubernetesPlanner.Action.DeleteService) {
            client.services().inNamespace(key.namespace()).withName(CnpgModel.externalServiceName(key)).delete();
            return Step.next("Service " + CnpgModel.externalServiceName(key) + " removed");
        } else if (action instanceof KubernetesPlanner.Action.UpdateCluster) {
            GenericKubernetesResource existing = clusters(key).withName(key.name()).get();
            existing.setAdditionalProperty("spec", seen.wanted());
            clusters(key).resource(existing).update();
            return Step.waitFor("Cluster " + key.name() + " updated", Duration.ofSeconds(1));
        }
        if (action instanceof KubernetesPlanner.Action.CreatePooler create) {
            poolers(key).resource(PoolerModel.pooler(key, desired, create.type())).create();
            return Step.next("Pooler " + PoolerModel.name(key, create.type()) + " created");
        } else if (action instanceof KubernetesPlanner.Action.UpdatePooler update) {
            GenericKubernetesResource existing = poolers(key).withName(PoolerModel.name(key, update.type())).get();
            existing.setAdditionalProperty("spec", PoolerModel.spec(key, desired, update.type()));
            poolers(key).resource(existing).update();
            return Step.next("Pooler " + PoolerModel.name(key, update.type()) + " updated");
        } else if (action instanceof KubernetesPlanner.Action.DeletePooler delete) {
            poolers(key).withName(PoolerModel.name(key, delete.type())).delete();
            return Step.next("Pooler " + PoolerModel.name(key, delete.type()) + " removed");
        }
        ClusterStatus status = seen.status();
        if (action instanceof KubernetesPlanner.Action.Ready) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("members", desired.replicas());
            details.put("primary", primaryHost(key) + ":" + CnpgModel.POSTGRES_PORT);
            Step done = Step.done(status.readyInstances() + " of " + desired.replicas() + " members ready", details);
            if (!status.currentPrimary().isEmpty()) {
                details.put("primaryMember", status.currentPrimary());
                done = done.with(new PrimaryMember(status.currentPrimary()));
            }
            return done;
        }
        return Step.waitFor(status.readyInstances() + " of " + desired.replicas() + " members ready"
                + (status.phase().isEmpty() ? "" : " (" + status.phase() + ")"), Duration.ofSeconds(2));
    }

    /** While a point-in-time restore replaces the Cluster, the instance is its own: every step waits for it. */
    private Optional<String> restoring(InstanceKey key) {
        return restore.underWay(key).map(record -> "a point-in-time restore to " + record.getData().get("target")
                + " is under way (command " + record.getData().get("commandId") + ")");
    }

    /**
     * A switchover the way {@code kubectl cnpg promote} asks for one: {@code status.targetPrimary} (and its timestamp,
     * phase and reason) written through the status subresource; CloudNativePG then shuts the primary down, promotes the
     * target and restarts the old primary as a standby. Done when {@code status.currentPrimary} is the target and every
     * instance is ready again.
     */
    @Override
    public Step switchover(InstanceKey key, ClusterSpec desired, String from, Optional<String> to) {
        Optional<String> restoring = restoring(key);
        if (restoring.isPresent()) {
            return Step.waitFor(restoring.get(), Duration.ofSeconds(5));
        }
        GenericKubernetesResource cluster = clusters(key).withName(key.name()).get();
        if (cluster == null) {
            return Step.failed("Cluster " + key.name() + " does not exist");
        }
        if (!Ownership.owns(key, cluster.getMetadata())) {
            return Step.failed(Ownership.notOurs("Cluster", key));
        }
        ClusterStatus status = ClusterStatus.of(cluster);
        if (!status.currentPrimary().equals(from)) {
            if (status.readyInstances() >= desired.replicas()) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("members", desired.replicas());
                details.put("primary", primaryHost(key) + ":" + CnpgModel.POSTGRES_PORT);
                details.put("primaryMember", status.currentPrimary());
                return Step.done(status.currentPrimary() + " is the primary; " + status.readyInstances() + " of " + desired.replicas()
                        + " members ready", details).with(new PrimaryMember(status.currentPrimary()));
            }
            return Step.waitFor(status.currentPrimary() + " is the primary; " + status.readyInstances() + " of " + desired.replicas()
                    + " members ready", Duration.ofSeconds(2));
        }
        Optional<String> target = to.or(() -> status.healthy().stream().filter(name -> !name.equals(from)).sorted().findFirst());
        if (target.isEmpty() || !status.healthy().contains(target.get())) {
            return Step.waitFor(target.map(t -> t + " to be healthy").orElse("a healthy standby") + " before it takes over", Duration.ofSeconds(2));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> statusMap = new LinkedHashMap<>((Map<String, Object>) cluster.getAdditionalProperties().get("status"));
        if (!target.get().equals(statusMap.get("targetPrimary"))) {
            statusMap.put("targetPrimary", target.get());
            statusMap.put("targetPrimaryTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            statusMap.put("phase", "Switchover in progress");
            statusMap.put("phaseReason", "Switching over to " + target.get());
            cluster.setAdditionalProperty("status", statusMap);
            clusters(key).resource(cluster).updateStatus();
        }
        return Step.waitFor("CloudNativePG switching over from " + from + " to " + target.get(), Duration.ofSeconds(2));
    }

    @Override
    public Observation observe(InstanceKey key) {
        GenericKubernetesResource cluster = clusters(key).withName(key.name()).get();
        Optional<String> restoring = restoring(key);
        if (restoring.isPresent()) {
            return new Observation(true, false, List.of(), restoring.get(), null);
        }
        if (cluster == null) {
            return Observation.absent();
        }
        ClusterStatus status = ClusterStatus.of(cluster);
        int instances = ((Number) ((Map<?, ?>) cluster.getAdditionalProperties().get("spec")).get("instances")).intValue();
        List<Member> members = new ArrayList<>();
        for (String name : status.instanceNames()) {
            boolean primary = name.equals(status.currentPrimary());
            members.add(new Member(name, primary ? "primary" : "replica", name + "." + key.namespace(), CnpgModel.POSTGRES_PORT,
                    status.healthy().contains(name) ? (primary ? "running" : "streaming") : "not ready", null, null));
        }
        boolean ready = status.readyInstances() >= instances;
        List<PoolerEndpoint> pools = new ArrayList<>();
        for (String type : PoolerModel.TYPES) {
            GenericKubernetesResource pooler = poolers(key).withName(PoolerModel.name(key, type)).get();
            if (pooler != null && Ownership.owns(key, pooler.getMetadata())) {
                // CloudNativePG reports the PgBouncer pods it runs in status.instances.
                Object running = pooler.getAdditionalProperties().get("status") instanceof Map<?, ?> poolerStatus ? poolerStatus.get("instances") : null;
                pools.add(new PoolerEndpoint(type, PoolerModel.name(key, type) + "." + key.namespace() + "." + serviceDomain, CnpgModel.POSTGRES_PORT,
                        running instanceof Number n && n.intValue() > 0 ? "running" : "waiting", null));
            }
        }
        return new Observation(true, ready, members, status.readyInstances() + " of " + instances + " members ready"
                + (status.phase().isEmpty() ? "" : " (" + status.phase() + ")"), null, null, null, pools);
    }

    @Override
    public Step delete(InstanceKey key) {
        GenericKubernetesResource cluster = clusters(key).withName(key.name()).get();
        if (cluster != null && !Ownership.owns(key, cluster.getMetadata())) {
            return Step.failed(Ownership.notOurs("Cluster", key));
        }
        for (String type : PoolerModel.TYPES) {
            GenericKubernetesResource pooler = poolers(key).withName(PoolerModel.name(key, type)).get();
            if (pooler != null && Ownership.owns(key, pooler.getMetadata())) {
                poolers(key).withName(PoolerModel.name(key, type)).delete();
            }
        }
        if (cluster != null) {
            clusters(key).withName(key.name()).delete();
        }
        var service = client.services().inNamespace(key.namespace()).withName(CnpgModel.externalServiceName(key));
        Service existing = service.get();
        if (existing != null && Ownership.owns(key, existing.getMetadata())) {
            service.delete();
        }
        clientCertificates.delete(key);
        return Step.done("Cluster " + key.name() + " deleted", Map.of());
    }

    @Override
    public Optional<Endpoint> primary(InstanceKey key) {
        GenericKubernetesResource cluster = clusters(key).withName(key.name()).get();
        if (cluster == null) {
            return Optional.empty();
        }
        if (!Ownership.owns(key, cluster.getMetadata())) {
            throw new IllegalStateException(Ownership.notOurs("Cluster", key) + "; pgfleet does not connect to it");
        }
        // verify-full against the Cluster's own CA, and pgfleet's client certificate of the instance's own client CA
        Optional<Path> ca = certificates.caFile(key);
        Optional<Endpoint.ClientCertificate> superuser = clientCertificates.files(key);
        if (ca.isEmpty() || superuser.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Endpoint(primaryHost(key), CnpgModel.POSTGRES_PORT, ClientCertificates.SUPERUSER, null, ca.get(),
                superuser.get()));
    }

    /** The {@code -rw} Service: CloudNativePG points it at whichever pod is the primary. */
    @Override
    public Optional<String> primaryHosts(InstanceKey key) {
        GenericKubernetesResource cluster = clusters(key).withName(key.name()).get();
        return cluster == null ? Optional.empty() : Optional.of(primaryHost(key) + ":" + CnpgModel.POSTGRES_PORT);
    }

    /** CloudNativePG's own CA: Secret {@code <name>-ca} in the instance's namespace (its {@code ca.crt}). */
    @Override
    public Map<String, String> tls(InstanceKey key) {
        return Map.of("sslmode", "verify-full", "caSecret", ClusterCertificates.caSecret(key));
    }

    private String primaryHost(InstanceKey key) {
        return CnpgModel.primaryService(key) + "." + key.namespace() + "." + serviceDomain;
    }

    private NonNamespaceOperation<GenericKubernetesResource,
            GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> poolers(InstanceKey key) {
        return client.genericKubernetesResources(PoolerModel.POOLER).inNamespace(key.namespace());
    }

    private NonNamespaceOperation<GenericKubernetesResource,
            GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> clusters(InstanceKey key) {
        return client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(key.namespace());
    }
}
