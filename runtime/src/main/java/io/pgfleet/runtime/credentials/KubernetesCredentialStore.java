package io.pgfleet.runtime.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgfleet.events.InstanceKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import io.pgfleet.runtime.InstanceLabels;
import java.util.Objects;

/**
 * Secret {@code <name>-<kind>} in the instance's namespace, one key per secret, labelled as pgfleet's for the instance
 * ({@link io.pgfleet.runtime.InstanceLabels}). A Secret of that name that pgfleet did not make — another application's, or
 * one planted before the instance — is never read as pgfleet's, overwritten or deleted: reading or writing it fails with
 * the reason, deleting leaves it.
 *
 * <p>What a tenant must not read or write (the keys that authenticate its backups' manifests) is kept instead in
 * pgfleet's own namespace ({@link #inHome}): Secret {@code <namespace>.<name>-<kind>} (a dot, which no instance name has,
 * so it never meets an instance's own Secret), labelled with the instance's namespace as well.
 */
public class KubernetesCredentialStore implements CredentialStore {

    /** The label that names the instance's namespace on a Secret kept in pgfleet's own namespace. */
    public static final String NAMESPACE_LABEL = "pgfleet.io/namespace";

    private final KubernetesClient client;
    private final String kind;
    private final String home;

    public KubernetesCredentialStore(KubernetesClient client, String kind) {
        this(client, kind, null);
    }

    private KubernetesCredentialStore(KubernetesClient client, String kind, String home) {
        this.client = client;
        this.kind = kind;
        this.home = home;
    }

    /** A store whose Secrets live in {@code home}, pgfleet's own namespace, where tenants have no access. */
    public static KubernetesCredentialStore inHome(KubernetesClient client, String kind, String home) {
        return new KubernetesCredentialStore(client, kind, Objects.requireNonNull(home, "home namespace"));
    }

    @Override
    public Map<String, String> read(InstanceKey instance) {
        Secret secret = client.secrets().inNamespace(namespace(instance)).withName(name(instance)).get();
        if (secret != null && !ours(secret, instance)) {
            throw new IllegalStateException("Secret " + namespace(instance) + "/" + name(instance) + " exists but pgfleet did not make it "
                    + "(it lacks the labels " + labels(instance) + "); pgfleet neither reads nor replaces it: "
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
        Secret secret = new SecretBuilder().withNewMetadata().withName(name(instance)).withNamespace(namespace(instance))
                .withLabels(labels(instance)).endMetadata().withType("Opaque").withData(data).build();
        client.secrets().inNamespace(namespace(instance)).resource(secret).createOr(existing -> existing.update());
    }

    @Override
    public void delete(InstanceKey instance) {
        Secret secret = client.secrets().inNamespace(namespace(instance)).withName(name(instance)).get();
        if (secret != null && ours(secret, instance)) {
            client.secrets().inNamespace(namespace(instance)).withName(name(instance)).delete();
        }
    }

    private boolean ours(Secret secret, InstanceKey instance) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return labels != null && labels.entrySet().containsAll(labels(instance).entrySet());
    }

    private Map<String, String> labels(InstanceKey instance) {
        Map<String, String> labels = InstanceLabels.of(instance);
        if (home != null) {
            labels.put(NAMESPACE_LABEL, instance.namespace());
        }
        return labels;
    }

    private String namespace(InstanceKey instance) {
        return home == null ? instance.namespace() : home;
    }

    private String name(InstanceKey instance) {
        return (home == null ? "" : instance.namespace() + ".") + instance.name() + "-" + kind;
    }
}
