package io.pgfleet.runtime.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgfleet.events.InstanceKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Passwords in Secret {@code <name>-credentials}, against fabric8's CRUD mock server (no API server can run here). */
@EnableKubernetesMockClient(crud = true)
class KubernetesCredentialStoreTest {

    static KubernetesClient client;

    private static final InstanceKey KEY = new InstanceKey("tenant-k", "orders");

    private Secret secret() {
        return client.secrets().inNamespace("tenant-k").withName("orders-credentials").get();
    }

    private static String decode(String value) {
        return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    }

    @Test
    void passwordsLiveInTheInstancesSecretOneKeyPerUser() {
        KubernetesCredentialStore store = new KubernetesCredentialStore(client, "credentials");
        assertThat(store.read(KEY)).isEmpty();

        store.write(KEY, Map.of("alice", "pässwörd $$ 'quoted'", "bob", "b0b"));

        Secret secret = secret();
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.getMetadata().getLabels()).isNotEmpty();
        assertThat(secret.getData()).containsOnlyKeys("alice", "bob");
        assertThat(decode(secret.getData().get("alice"))).isEqualTo("pässwörd $$ 'quoted'");
        assertThat(store.read(KEY)).containsExactlyInAnyOrderEntriesOf(Map.of("alice", "pässwörd $$ 'quoted'", "bob", "b0b"));
    }

    @Test
    void writingSomeUsersKeepsTheOthersAndAnUnchangedWriteLeavesTheSecretAlone() {
        InstanceKey key = new InstanceKey("tenant-k", "billing");
        KubernetesCredentialStore store = new KubernetesCredentialStore(client, "credentials");
        store.write(key, Map.of("alice", "one"));
        store.write(key, Map.of("bob", "two"));
        store.write(key, Map.of("alice", "three"));
        assertThat(store.read(key)).containsExactlyInAnyOrderEntriesOf(Map.of("alice", "three", "bob", "two"));

        String version = client.secrets().inNamespace("tenant-k").withName("billing-credentials").get().getMetadata().getResourceVersion();
        store.write(key, Map.of("bob", "two"));
        assertThat(client.secrets().inNamespace("tenant-k").withName("billing-credentials").get().getMetadata().getResourceVersion())
                .isEqualTo(version);
    }

    @Test
    void instancesOfTheSameNameInOtherNamespacesHaveTheirOwnSecret() {
        KubernetesCredentialStore store = new KubernetesCredentialStore(client, "credentials");
        store.write(new InstanceKey("tenant-x", "shared"), Map.of("alice", "x-password"));
        store.write(new InstanceKey("tenant-y", "shared"), Map.of("alice", "y-password"));
        assertThat(store.read(new InstanceKey("tenant-x", "shared"))).containsEntry("alice", "x-password");
        assertThat(store.read(new InstanceKey("tenant-y", "shared"))).containsEntry("alice", "y-password");
    }

    @Test
    void eachKindHasItsOwnSecretAndDeleteRemovesOnlyThatOne() {
        InstanceKey key = new InstanceKey("tenant-k", "kinds");
        KubernetesCredentialStore users = new KubernetesCredentialStore(client, "credentials");
        KubernetesCredentialStore backup = new KubernetesCredentialStore(client, "backup");
        users.write(key, Map.of("alice", "a"));
        backup.write(key, Map.of("resticPassword", "r"));
        assertThat(users.read(key)).containsOnlyKeys("alice");
        assertThat(backup.read(key)).containsOnlyKeys("resticPassword");

        backup.delete(key);
        assertThat(backup.read(key)).isEmpty();
        assertThat(client.secrets().inNamespace("tenant-k").withName("kinds-backup").get()).isNull();
        assertThat(users.read(key)).containsOnlyKeys("alice");
    }

    @Test
    void aSecretOfTheSameNameThatPgfleetDidNotMakeIsNeitherReadNorReplacedNorDeleted() {
        InstanceKey app = new InstanceKey("tenant-k", "app");
        client.secrets().inNamespace("tenant-k").resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                .withName("app-backup").withNamespace("tenant-k").addToLabels("app.kubernetes.io/managed-by", "someone-else").endMetadata()
                .withData(Map.of("manifestKey", Base64.getEncoder().encodeToString("planted".getBytes(StandardCharsets.UTF_8)))).build()).create();
        KubernetesCredentialStore store = new KubernetesCredentialStore(client, "backup");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.read(app)).hasMessageContaining("pgfleet did not make it");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.write(app, Map.of("resticPassword", "x")))
                .hasMessageContaining("pgfleet did not make it");
        store.delete(app);
        Secret kept = client.secrets().inNamespace("tenant-k").withName("app-backup").get();
        assertThat(kept).isNotNull();
        assertThat(kept.getData()).containsOnlyKeys("manifestKey");
    }

    @Test
    void manifestKeysLiveInPgfleetsOwnNamespaceWhereATenantsPlantedSecretIsNeverRead() {
        CredentialStores stores = new CredentialStores("kubernetes", () -> client, "", "pgfleet-system");
        InstanceKey shop = new InstanceKey("tenant-k", "shop");
        InstanceKey other = new InstanceKey("tenant-m", "shop");
        // the tenant, who may write Secrets in its own namespace, plants the name a manifest key had there before
        client.secrets().inNamespace("tenant-k").resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                .withName("shop-manifest").withLabels(io.pgfleet.runtime.InstanceLabels.of(shop)).endMetadata()
                .withData(Map.of("manifestKey", Base64.getEncoder().encodeToString("forged".getBytes(StandardCharsets.UTF_8)))).build()).create();
        CredentialStore keys = stores.kind(CredentialStores.MANIFEST);
        assertThat(keys.read(shop)).as("nothing of the tenant's namespace is read").isEmpty();

        keys.write(shop, Map.of("manifestKey", "k1"));
        keys.write(other, Map.of("manifestKey", "k2"));
        Secret kept = client.secrets().inNamespace("pgfleet-system").withName("tenant-k.shop-manifest").get();
        assertThat(kept.getMetadata().getLabels()).containsEntry(KubernetesCredentialStore.NAMESPACE_LABEL, "tenant-k")
                .containsEntry(io.pgfleet.runtime.InstanceLabels.INSTANCE, "shop");
        assertThat(keys.read(shop)).containsEntry("manifestKey", "k1");
        assertThat(keys.read(other)).as("the same name in another namespace is another Secret").containsEntry("manifestKey", "k2");

        stores.deleteAll(shop);
        assertThat(client.secrets().inNamespace("pgfleet-system").withName("tenant-k.shop-manifest").get()).isNull();
        assertThat(client.secrets().inNamespace("pgfleet-system").withName("tenant-m.shop-manifest").get()).isNotNull();
        assertThat(client.secrets().inNamespace("tenant-k").withName("shop-manifest").get()).as("a Secret of the tenant's is left").isNotNull();
    }
}
