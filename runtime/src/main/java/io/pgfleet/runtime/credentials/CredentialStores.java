package io.pgfleet.runtime.credentials;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Value;
import io.pgfleet.runtime.local.DataRoot;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The credential store of each kind for the configured driver ({@code pgfleet.driver}): Secrets or local files. */
@Singleton
public class CredentialStores {

    private final String driver;
    private final BeanProvider<KubernetesClient> client;
    private final java.nio.file.Path dataRoot;
    private final Map<String, CredentialStore> stores = new ConcurrentHashMap<>();

    public CredentialStores(@Value("${pgfleet.driver:local}") String driver, BeanProvider<KubernetesClient> client,
                            @Value("${pgfleet.local.data-root:}") String dataRoot) {
        this.driver = driver;
        this.client = client;
        this.dataRoot = DataRoot.of(dataRoot);
    }

    /**
     * The store of one kind.
     *
     * @param kind e.g. {@code credentials} (users' passwords) or {@code backup-credentials}
     */
    public CredentialStore kind(String kind) {
        return stores.computeIfAbsent(kind, k -> "kubernetes".equals(driver) ? new KubernetesCredentialStore(client.get(), k)
                : new LocalCredentialStore(dataRoot, k));
    }
}
