package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.credentials.CredentialStore;
import io.pgfleet.host.FileTrees;
import io.pgfleet.host.NoFollowFiles;
import io.pgfleet.host.ProcessRunner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How pgfleet is an instance's superuser under Kubernetes without a password in the tenant's namespace: by certificate.
 * Each instance gets a client CA of its own (ECDSA P-256, made with {@code openssl}), which signs a certificate for
 * {@code postgres} (pgfleet's sessions) and one for {@code streaming_replica} (CloudNativePG's replication). The CA's key
 * and pgfleet's certificate stay in pgfleet's own namespace (credential kind {@code client}); the tenant's namespace gets
 * only what CloudNativePG needs there — the CA certificate (Secret {@code <name>.client-ca}, the Cluster's
 * {@code certificates.clientCASecret}) and the replication certificate (Secret {@code <name>.replication}, type
 * {@code kubernetes.io/tls}, its {@code replicationTLSSecret}). The Cluster has {@code enableSuperuserAccess: false}
 * (CloudNativePG deletes the {@code <name>-superuser} Secret it made and blanks the password) and the rule
 * {@code hostssl all postgres all cert}. A tenant who reads its Secrets gets the replication certificate of its own
 * instance (its own data), which no other instance accepts: each trusts only its own CA.
 *
 * <p>The names carry a dot, which no instance name has, so they never meet a Secret CloudNativePG makes
 * ({@code <name>-ca}, {@code <name>-replication}, …) for another instance. A Secret of such a name that pgfleet did not
 * make is neither read, replaced nor deleted. The CA is made once and never replaced; the two certificates are issued
 * again by the same CA when they end within 30 days.
 */
final class ClientCertificates {

    static final String SUPERUSER = "postgres";
    static final String REPLICATION_USER = "streaming_replica";
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final String PRIVATE = "rw-------";

    private final KubernetesClient client;
    private final CredentialStore home;
    private final Path directory;

    /**
     * @param home      the instances' client material, in pgfleet's own namespace
     * @param directory where pgfleet's certificate and key are kept as files for pgjdbc and libpq (0600)
     */
    ClientCertificates(KubernetesClient client, CredentialStore home, Path directory) {
        this.client = client;
        this.home = home;
        this.directory = directory;
    }

    /** The Secret in the instance's namespace holding its client CA certificate. */
    static String caSecret(InstanceKey key) {
        return key.name() + ".client-ca";
    }

    /** The Secret in the instance's namespace holding the replication certificate. */
    static String replicationSecret(InstanceKey key) {
        return key.name() + ".replication";
    }

    /**
     * Whether the client material is in place (the CA, certificates that do not end within 30 days, the two Secrets of
     * the instance's namespace as pgfleet makes them), and why it cannot be (a Secret of one of their names that is not
     * pgfleet's). Reads only.
     */
    Certified observe(InstanceKey key, Instant now) {
        Map<String, String> material = home.read(key);
        boolean inPlace = material.containsKey("ca.crt") && !endsBefore(material.get("postgres.crt"), now.plus(RENEW_BEFORE))
                && !endsBefore(material.get("replication.crt"), now.plus(RENEW_BEFORE));
        Map<String, Secret> secrets = new LinkedHashMap<>();
        for (String name : List.of(caSecret(key), replicationSecret(key))) {
            Secret existing = client.secrets().inNamespace(key.namespace()).withName(name).get();
            if (existing != null && !Ownership.owns(key, existing.getMetadata())) {
                return new Certified(false, Optional.of(notOurs(key, name)));
            }
            secrets.put(name, existing);
        }
        return new Certified(inPlace && same(secrets.get(caSecret(key)), "Opaque", Map.of("ca.crt", material.get("ca.crt")))
                && same(secrets.get(replicationSecret(key)), "kubernetes.io/tls", Map.of("tls.crt", material.get("replication.crt"),
                "tls.key", material.get("replication.key"))), Optional.empty());
    }

    /** Whether a Secret holds these values, with this type. */
    private static boolean same(Secret secret, String type, Map<String, String> values) {
        return secret != null && type.equals(secret.getType()) && encoded(values).equals(secret.getData());
    }

    /**
     * What {@link #observe} found.
     *
     * @param inPlace whether nothing is to be made
     * @param refused why nothing can be (a Secret that is not pgfleet's)
     */
    record Certified(boolean inPlace, Optional<String> refused) {
    }

    /**
     * Makes what is missing: the CA and the certificates (kept in pgfleet's namespace), then the two Secrets of the
     * instance's namespace. Safe to repeat at any point a predecessor was killed: what exists is kept.
     *
     * @return why it cannot (a Secret of that name that is not pgfleet's), or empty when all is in place
     */
    Optional<String> ensure(InstanceKey key, Instant now) {
        Map<String, String> material = home.read(key);
        if (!material.containsKey("ca.crt")) {
            material = issue(key, null);
            home.write(key, material);
        } else if (endsBefore(material.get("postgres.crt"), now.plus(RENEW_BEFORE))
                || endsBefore(material.get("replication.crt"), now.plus(RENEW_BEFORE))) {
            material = issue(key, material);
            home.write(key, material);
        }
        Optional<String> refused = put(key, caSecret(key), "Opaque", Map.of("ca.crt", material.get("ca.crt")));
        if (refused.isPresent()) {
            return refused;
        }
        return put(key, replicationSecret(key), "kubernetes.io/tls",
                Map.of("tls.crt", material.get("replication.crt"), "tls.key", material.get("replication.key")));
    }

    /** pgfleet's client certificate for the instance, as files; empty until it was made. */
    Optional<Endpoint.ClientCertificate> files(InstanceKey key) {
        Map<String, String> material = home.read(key);
        if (!material.containsKey("postgres.crt")) {
            return Optional.empty();
        }
        // namespace and name are DNS labels (validated at intake), so they are safe as path segments
        Path dir = directory.resolve(key.namespace()).resolve(key.name());
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path certificate = dir.resolve("postgres.crt");
            Path keyPem = dir.resolve("postgres.key");
            Path keyPk8 = dir.resolve("postgres.pk8");
            writeIfChanged(certificate, material.get("postgres.crt").getBytes(StandardCharsets.US_ASCII));
            writeIfChanged(keyPem, material.get("postgres.key").getBytes(StandardCharsets.US_ASCII));
            writeIfChanged(keyPk8, pkcs8Der(material.get("postgres.key")));
            return Optional.of(new Endpoint.ClientCertificate(certificate, keyPem, keyPk8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the client certificate of " + key + " in " + directory, e);
        }
    }

    /** Removes the instance's two Secrets from its namespace (those that are pgfleet's); the material goes with its credentials. */
    void delete(InstanceKey key) {
        for (String name : List.of(caSecret(key), replicationSecret(key))) {
            Secret secret = client.secrets().inNamespace(key.namespace()).withName(name).get();
            if (secret != null && Ownership.owns(key, secret.getMetadata())) {
                client.secrets().inNamespace(key.namespace()).withName(name).delete();
            }
        }
    }

    private Optional<String> put(InstanceKey key, String name, String type, Map<String, String> values) {
        Map<String, String> data = encoded(values);
        Secret existing = client.secrets().inNamespace(key.namespace()).withName(name).get();
        if (existing != null && !Ownership.owns(key, existing.getMetadata())) {
            return Optional.of(notOurs(key, name));
        }
        if (same(existing, type, values)) {
            return Optional.empty();
        }
        Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(key.namespace()).withLabels(CnpgModel.labels(key))
                .endMetadata().withType(type).withData(data).build();
        if (existing == null) {
            client.secrets().inNamespace(key.namespace()).resource(secret).create();
        } else {
            client.secrets().inNamespace(key.namespace()).resource(secret).update();
        }
        return Optional.empty();
    }

    private static Map<String, String> encoded(Map<String, String> values) {
        Map<String, String> data = new TreeMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
        return data;
    }

    private static String notOurs(InstanceKey key, String name) {
        return "Secret " + name + " in namespace " + key.namespace() + " exists but is not pgfleet's (it lacks the labels "
                + CnpgModel.labels(key) + "): pgfleet does not replace it; remove it or rename the instance";
    }

    /** The CA (made when {@code kept} is null, kept otherwise) and the two certificates it signs, PEM. */
    private Map<String, String> issue(InstanceKey key, Map<String, String> kept) {
        try {
            Path work = Files.createTempDirectory("pgfleet-client-tls-");
            try {
                Path caKey = work.resolve("ca.key");
                Path caCert = work.resolve("ca.crt");
                Map<String, String> material = new LinkedHashMap<>();
                if (kept == null) {
                    openssl(work, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                            caKey.toString(), "-out", caCert.toString(), "-days", "3650", "-subj", "/CN=pgfleet client CA " + key.namespace() + "." + key.name(),
                            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
                } else {
                    NoFollowFiles.write(caKey, kept.get("ca.key").getBytes(StandardCharsets.US_ASCII), PRIVATE);
                    Files.writeString(caCert, kept.get("ca.crt"));
                }
                material.put("ca.crt", Files.readString(caCert));
                material.put("ca.key", Files.readString(caKey));
                for (Map.Entry<String, String> user : Map.of("postgres", SUPERUSER, "replication", REPLICATION_USER).entrySet()) {
                    Path leafKey = work.resolve(user.getKey() + ".key");
                    Path leafCert = work.resolve(user.getKey() + ".crt");
                    openssl(work, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                            leafKey.toString(), "-out", leafCert.toString(), "-subj", "/CN=" + user.getValue(), "-CA", caCert.toString(),
                            "-CAkey", caKey.toString(), "-days", "825", "-addext", "basicConstraints=critical,CA:FALSE",
                            "-addext", "extendedKeyUsage=clientAuth", "-addext", "keyUsage=critical,digitalSignature");
                    material.put(user.getKey() + ".crt", Files.readString(leafCert));
                    material.put(user.getKey() + ".key", Files.readString(leafKey));
                }
                return material;
            } finally {
                FileTrees.delete(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot issue the client certificates of " + key, e);
        }
    }

    private static void openssl(Path work, String... args) {
        List<String> argv = new ArrayList<>(List.of("openssl"));
        argv.addAll(List.of(args));
        ProcessRunner.check(argv, Map.of(), work, TIMEOUT);
    }

    private static boolean endsBefore(String pem, Instant moment) {
        if (pem == null) {
            return true;
        }
        try {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return certificate.getNotAfter().toInstant().isBefore(moment);
        } catch (CertificateException e) {
            return true;
        }
    }

    /** A PEM PKCS-8 key ({@code BEGIN PRIVATE KEY}, what OpenSSL 3 writes) as DER, which is what pgjdbc reads. */
    static byte[] pkcs8Der(String pem) {
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalStateException("the client key is not a PKCS-8 PEM key");
        }
        String body = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"));
        return Base64.getMimeDecoder().decode(body);
    }

    private static void writeIfChanged(Path file, byte[] content) throws IOException {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(file), content)) {
            return;
        }
        NoFollowFiles.write(file, content, PRIVATE);
    }
}
