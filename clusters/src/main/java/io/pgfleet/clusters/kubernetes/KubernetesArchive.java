package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgfleet.clusters.ArchiveTarget;
import io.pgfleet.events.InstanceKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An instance's WAL archive with CloudNativePG's Barman Cloud plugin: its {@code ObjectStore} and {@code ScheduledBackup}
 * made or brought to what the backup-worker declares, and the window the plugin reports in the store's status
 * ({@code serverRecoveryWindow}, for the server the Cluster archives under). Kubernetes calls: get/create/update on
 * objectstores and scheduledbackups, get on clusters.
 */
final class KubernetesArchive {

    private final KubernetesClient client;

    KubernetesArchive(KubernetesClient client) {
        this.client = client;
    }

    Optional<String> declare(InstanceKey key, ArchiveTarget target) {
        BarmanModel.Archive archive = new BarmanModel.Archive(target.destinationPath(), target.endpointUrl(), target.schedule(),
                target.windowDays());
        GenericKubernetesResource store = BarmanModel.objectStore(key, archive);
        GenericKubernetesResource schedule = BarmanModel.scheduledBackup(key, archive);
        for (var resource : List.of(Map.entry(BarmanModel.OBJECT_STORE, store), Map.entry(BarmanModel.SCHEDULED_BACKUP, schedule))) {
            var kind = client.genericKubernetesResources(resource.getKey()).inNamespace(key.namespace());
            GenericKubernetesResource existing = kind.withName(resource.getValue().getMetadata().getName()).get();
            if (existing == null) {
                kind.resource(resource.getValue()).create();
            } else if (!Ownership.owns(key, existing.getMetadata())) {
                throw new IllegalStateException(Ownership.notOurs(resource.getValue().getKind(), key));
            } else if (!resource.getValue().getAdditionalProperties().get("spec").equals(existing.getAdditionalProperties().get("spec"))) {
                existing.setAdditionalProperty("spec", resource.getValue().getAdditionalProperties().get("spec"));
                kind.resource(existing).update();
            }
        }
        return Optional.of("ObjectStore " + store.getMetadata().getName() + " (" + target.destinationPath() + ") and ScheduledBackup "
                + schedule.getMetadata().getName() + " applied: the Barman Cloud plugin archives the WAL and takes the base backups");
    }

    /** The first recoverability point of the server the instance's Cluster archives under, as the plugin reports it. */
    Optional<Instant> recoverableFrom(InstanceKey key) {
        GenericKubernetesResource store = client.genericKubernetesResources(BarmanModel.OBJECT_STORE).inNamespace(key.namespace())
                .withName(BarmanModel.objectStoreName(key)).get();
        if (store == null || !Ownership.owns(key, store.getMetadata())) {
            return Optional.empty();
        }
        GenericKubernetesResource cluster = client.genericKubernetesResources(CnpgModel.CLUSTER).inNamespace(key.namespace())
                .withName(key.name()).get();
        String server = cluster == null ? key.name() : BarmanModel.serverName(cluster);
        if (store.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && status.get("serverRecoveryWindow") instanceof Map<?, ?> windows && windows.get(server) instanceof Map<?, ?> window
                && window.get("firstRecoverabilityPoint") instanceof String first) {
            try {
                return Optional.of(Instant.parse(first));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
