package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgfleet.events.InstanceKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * The CA CloudNativePG made for a Cluster (Secret {@code <name>-ca}, key {@code ca.crt}), kept as a file the services'
 * JDBC sessions and libpq tools verify the primary's certificate with ({@code sslmode=verify-full}). Only a Secret
 * CloudNativePG made for that Cluster is read: a CA a tenant planted under the name would let anything it signed pass as
 * the primary and receive pgfleet's superuser password.
 */
final class ClusterCertificates {

    static final String CA_KEY = "ca.crt";

    private final KubernetesClient client;
    private final Path directory;

    ClusterCertificates(KubernetesClient client, Path directory) {
        this.client = client;
        this.directory = directory;
    }

    /** The Secret that holds an instance's CA. */
    static String caSecret(InstanceKey key) {
        return key.name() + "-ca";
    }

    /** The file holding the Cluster's CA certificate, written (again) when it changed; empty while there is no CA yet. */
    Optional<Path> caFile(InstanceKey key) {
        Secret secret = client.secrets().inNamespace(key.namespace()).withName(caSecret(key)).get();
        if (secret == null || secret.getData() == null || !secret.getData().containsKey(CA_KEY)) {
            return Optional.empty();
        }
        if (!Ownership.madeByCnpgFor(key, secret.getMetadata())) {
            throw new IllegalStateException("Secret " + caSecret(key) + " in namespace " + key.namespace()
                    + " was not made by CloudNativePG for Cluster " + key.name() + "; its CA is not trusted");
        }
        byte[] pem = Base64.getDecoder().decode(secret.getData().get(CA_KEY));
        if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalStateException("Secret " + caSecret(key) + " in namespace " + key.namespace() + " holds no PEM certificate");
        }
        // namespace and name are DNS labels (validated at intake), so they are safe as path segments
        Path file = directory.resolve(key.namespace()).resolve(key.name() + ".crt");
        try {
            if (!Files.isRegularFile(file) || !Arrays.equals(Files.readAllBytes(file), pem)) {
                Files.createDirectories(file.getParent());
                Path temporary = Files.createTempFile(file.getParent(), key.name(), ".tmp");
                Files.write(temporary, pem);
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return Optional.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the CA of " + key + " in " + directory, e);
        }
    }
}
