package io.pgfleet.runtime.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgfleet.events.InstanceKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Secret {@code <name>-<kind>} in the instance's namespace, one key per secret, labelled as pgfleet's for the instance
 * ({@link io.pgfleet.runtime.InstanceLabels}). A Secret of that name that pgfleet did not make — another application's, or
 * one planted before the instance — is never read as pgfleet's, overwritten or deleted: reading or writing it fails with
 * the reason, deleting leaves it.
 */
public class KubernetesCredentialStore implements CredentialStore {

    private final KubernetesClient client;
    private final String kind;

    public KubernetesCredentialStore(KubernetesClient client, String kind) {
        this.client = client;
        this.kind = kind;
    }

    @Override
    public Map<String, String> read(InstanceKey instance) {
        Secret secret = client.secrets().inNamespace(instance.namespace()).withName(name(instance)).get();
        if (secret != null && !ours(secret, instance)) {
            throw new IllegalStateException("Secret " + instance.namespace() + "/" + name(instance) + " exists but pgfleet did not make it "
                    + "(it lacks the labels " + io.pgfleet.runtime.InstanceLabels.of(instance) + "); pgfleet neither reads nor replaces it: "
                    + "rename the instance or remove that Secret");
        }
        Map<String, String> passwords = new TreeMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((user, value) -> passwords.put(user, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        return passwords;
    }

    @Override
    public void write(InstanceKey instance, Map<String, String> secrets) {
        Map<String, String> all = read(instance);
        if (all.entrySet().containsAll(secrets.entrySet())) {
            return;
        }
        all.putAll(secrets);
        Map<String, String> data = new TreeMap<>();
        all.forEach((user, password) -> data.put(user, Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8))));
        Secret secret = new SecretBuilder().withNewMetadata().withName(name(instance)).withNamespace(instance.namespace())
                .withLabels(io.pgfleet.runtime.InstanceLabels.of(instance)).endMetadata().withType("Opaque").withData(data).build();
        client.secrets().inNamespace(instance.namespace()).resource(secret).createOr(existing -> existing.update());
    }

    @Override
    public void delete(InstanceKey instance) {
        Secret secret = client.secrets().inNamespace(instance.namespace()).withName(name(instance)).get();
        if (secret != null && ours(secret, instance)) {
            client.secrets().inNamespace(instance.namespace()).withName(name(instance)).delete();
        }
    }

    private static boolean ours(Secret secret, InstanceKey instance) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return labels != null && labels.entrySet().containsAll(io.pgfleet.runtime.InstanceLabels.of(instance).entrySet());
    }

    private String name(InstanceKey instance) {
        return instance.name() + "-" + kind;
    }
}
