package io.pgfleet.runtime.credentials;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Value;
import io.pgfleet.host.DataRoot;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.pgfleet.events.InstanceKey;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;

/**
 * The credential store of each kind for the configured driver ({@code pgfleet.driver}): Secrets or local files, named
 * {@code <instance>-<kind>}. A kind is one word (no '-'), so the stores of two instances never resolve to the same Secret
 * or file: {@code x}'s backup credentials ({@code x-backup}) are not {@code x-backup}'s users ({@code x-backup-credentials}).
 */
@Singleton
public class CredentialStores {

    /** Users' passwords (the user-manager's). */
    public static final String USERS = "credentials";
    /** Backup credentials: S3 keys and the restic password (the backup-worker's). */
    public static final String BACKUP = "backup";
    /**
     * The key that authenticates the instance's backup manifests (the backup-worker's). Under Kubernetes it is kept in
     * pgfleet's own namespace, not the tenant's: a tenant that can read its namespace's Secrets could otherwise forge a
     * manifest its restore would believe.
     */
    public static final String MANIFEST = "manifest";
    /**
     * Under Kubernetes, the instance's client CA and the certificates it signed for pgfleet's superuser sessions and for
     * replication (the provisioner makes them; the user-manager and backup-worker read pgfleet's). Kept in pgfleet's own
     * namespace: whoever holds the CA's key or pgfleet's client key is the instance's superuser.
     */
    public static final String CLIENT = "client";
    /** Every kind: what an instance's delete removes. */
    public static final List<String> KINDS = List.of(USERS, BACKUP, MANIFEST, CLIENT);

    private final String driver;
    private final BeanProvider<KubernetesClient> client;
    private final Path dataRoot;
    private final String home;
    private final Map<String, CredentialStore> stores = new ConcurrentHashMap<>();

    /**
     * @param home pgfleet's own namespace ({@code pgfleet.kubernetes.namespace}; blank: the one the Kubernetes client is
     *             configured with, in a pod its service account's)
     */
    @Inject
    public CredentialStores(@Value("${pgfleet.driver:local}") String driver, BeanProvider<KubernetesClient> client,
                            @Value("${pgfleet.local.data-root:}") String dataRoot, @Value("${pgfleet.kubernetes.namespace:}") String home) {
        this.driver = driver;
        this.client = client;
        this.dataRoot = DataRoot.of(dataRoot);
        this.home = home;
    }

    public CredentialStores(String driver, BeanProvider<KubernetesClient> client, String dataRoot) {
        this(driver, client, dataRoot, "");
    }

    /**
     * The store of one kind.
     *
     * @param kind one of {@link #KINDS}
     */
    public CredentialStore kind(String kind) {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("no credential kind '" + kind + "'; the kinds are " + KINDS);
        }
        return stores.computeIfAbsent(kind, k -> !"kubernetes".equals(driver) ? new LocalCredentialStore(dataRoot, k)
                : MANIFEST.equals(k) || CLIENT.equals(k) ? KubernetesCredentialStore.inHome(client.get(), k, home(client.get()))
                : new KubernetesCredentialStore(client.get(), k));
    }

    private String home(KubernetesClient kubernetes) {
        String namespace = home.isBlank() ? kubernetes.getNamespace() : home;
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalStateException("pgfleet's own namespace is not known: set pgfleet.kubernetes.namespace "
                    + "(PGFLEET_KUBERNETES_NAMESPACE; the chart sets it to the release's namespace)");
        }
        return namespace;
    }

    /** Removes every stored secret of the instance (its delete): a new instance of the same name inherits no password. */
    public void deleteAll(InstanceKey instance) {
        KINDS.forEach(kind -> kind(kind).delete(instance));
    }
}
