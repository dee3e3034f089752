package io.pgfleet.usermanager.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micronaut.context.annotation.Requires;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.cluster.kubernetes.CnpgModel;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** Secret {@code <name>-credentials}, one key per user. */
@Singleton
@Requires(property = "pgfleet.driver", value = "kubernetes")
public class KubernetesCredentialStore implements CredentialStore {

    private final KubernetesClient client;

    public KubernetesCredentialStore(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Map<String, String> read(InstanceKey instance) {
        Secret secret = client.secrets().inNamespace(instance.namespace()).withName(name(instance)).get();
        Map<String, String> passwords = new TreeMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((user, value) -> passwords.put(user, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        return passwords;
    }

    @Override
    public void write(InstanceKey instance, Map<String, String> passwords) {
        Map<String, String> all = read(instance);
        if (all.entrySet().containsAll(passwords.entrySet())) {
            return;
        }
        all.putAll(passwords);
        Map<String, String> data = new TreeMap<>();
        all.forEach((user, password) -> data.put(user, Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8))));
        Secret secret = new SecretBuilder().withNewMetadata().withName(name(instance)).withNamespace(instance.namespace())
                .withLabels(CnpgModel.labels(instance)).endMetadata().withType("Opaque").withData(data).build();
        client.secrets().inNamespace(instance.namespace()).resource(secret).createOr(existing -> existing.update());
    }

    private static String name(InstanceKey instance) {
        return instance.name() + "-credentials";
    }
}
