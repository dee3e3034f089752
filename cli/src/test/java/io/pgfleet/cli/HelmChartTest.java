package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.kubernetes.KubernetesClusterDriver;
import io.pgfleet.runtime.credentials.KubernetesCredentialStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Helm chart: lint, render, parse the manifests with fabric8, and RBAC against the calls the code makes. */
@EnableKubernetesMockClient(crud = true)
class HelmChartTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private static final Path CHART = Path.of(System.getProperty("pgfleet.home", "..")).resolve("helm/pgfleet").toAbsolutePath().normalize();
    private static final Pattern API_PATH = Pattern.compile("/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/[^/]+/([^/?]+)(/[^/?]+)?(\\?.*)?");

    private static List<HasMetadata> render() {
        String yaml = new Helm(CHART).template().withName("fleet").withNamespace("pgfleet-system")
                .set("kafka.bootstrapServers", "kafka:9092").set("database.url", "jdbc:postgresql://db:5432/pgfleet")
                .set("backup.defaultCredentialsSecret", "backup-defaults").call();
        return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    }

    private static <T extends HasMetadata> List<T> of(List<HasMetadata> items, Class<T> type) {
        return items.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void theChartLints() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theRenderedManifestsDeployTheThreeServicesWithProbesMetricsAndDisruptionBudgets() {
        List<HasMetadata> items = render();
        List<Deployment> deployments = of(items, Deployment.class);
        assertThat(deployments).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("fleet-provisioner", "fleet-user-manager", "fleet-backup-worker");
        for (Deployment deployment : deployments) {
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/liveness");
            assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/readiness");
            assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("prometheus.io/path", "/prometheus");
            assertThat(container.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("KAFKA_BOOTSTRAP_SERVERS");
                assertThat(e.getValue()).isEqualTo("kafka:9092");
            });
            assertThat(container.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("PGFLEET_DB_PASSWORD");
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("pgfleet-db");
            });
            assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("PGFLEET_DRIVER=kubernetes"));
            assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(deployment.getMetadata().getName());
        }
        io.fabric8.kubernetes.api.model.PodSpec backupPod = deployments.stream().filter(d -> d.getMetadata().getName().endsWith("backup-worker"))
                .findFirst().orElseThrow().getSpec().getTemplate().getSpec();
        Container backup = backupPod.getContainers().get(0);
        assertThat(backup.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("PGFLEET_BACKUP_DEFAULT_CREDENTIALS_RESTIC_PASSWORD"));
        // Small databases are dumped to a work directory: an emptyDir mounted where the worker is told to write.
        String workDir = backup.getEnv().stream().filter(e -> e.getName().equals("PGFLEET_BACKUP_WORK_DIR")).findFirst().orElseThrow().getValue();
        assertThat(backup.getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo(workDir);
            assertThat(backupPod.getVolumes()).singleElement().satisfies(v -> {
                assertThat(v.getName()).isEqualTo(m.getName());
                assertThat(v.getEmptyDir().getSizeLimit().toString()).isEqualTo("2Gi");
            });
        });
        assertThat(backup.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("PGFLEET_BACKUP_SMALL_DATABASE=64MB"));
        assertThat(of(items, PodDisruptionBudget.class)).hasSize(3).allSatisfy(p -> assertThat(p.getSpec().getMinAvailable().getIntVal()).isEqualTo(1));
        assertThat(of(items, ServiceAccount.class)).hasSize(3);
        assertThat(of(items, ClusterRoleBinding.class)).hasSize(3)
                .allSatisfy(b -> assertThat(b.getSubjects().get(0).getNamespace()).isEqualTo("pgfleet-system"));
    }

    @Test
    void theViewsNeedATokenSignedWithTheOperatorsSecretAndOnlyNamedPeersReachThem() {
        String yaml = new Helm(CHART).template().withName("fleet").withNamespace("pgfleet-system")
                .set("kafka.bootstrapServers", "kafka:9092").set("database.url", "jdbc:postgresql://db:5432/pgfleet")
                .set("http.tokenSecret", "fleet-http").call();
        List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        for (Deployment deployment : of(items, Deployment.class)) {
            assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("PGFLEET_HTTP_TOKEN_SECRET");
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("fleet-http");
                assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token-secret");
            });
        }
        assertThat(of(items, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class)).singleElement().satisfies(policy -> {
            assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
            assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", "fleet");
            assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> assertThat(rule.getFrom()).singleElement()
                    .satisfies(peer -> assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", "fleet")));
        });
    }

    @Test
    void theServicesHaveAMemoryLimitAboveTheirHeapCeilingAndTakeExtraJvmOptions() throws Exception {
        for (Deployment deployment : of(render(), Deployment.class)) {
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getResources().getLimits().get("memory").getNumericalAmount().longValue())
                    .as(deployment.getMetadata().getName()).isGreaterThan(256L << 20);
            assertThat(container.getEnv()).noneMatch(e -> e.getName().equals("JDK_JAVA_OPTIONS") || e.getName().equals("JAVA_TOOL_OPTIONS"));
        }
        String yaml = new Helm(CHART).template().withName("fleet").withNamespace("pgfleet-system")
                .set("kafka.bootstrapServers", "kafka:9092").set("database.url", "jdbc:postgresql://db:5432/pgfleet")
                .set("jvm.options", "-Xmx512m").call();
        List<Deployment> deployments = of(client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items(), Deployment.class);
        assertThat(deployments).hasSize(3).allSatisfy(d -> assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("JDK_JAVA_OPTIONS=-Xmx512m"))
                .noneMatch(e -> e.getName().equals("JAVA_TOOL_OPTIONS")));
        // What the container's java makes of the two: the chart's heap, the image's other settings.
        String options = deployments.get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("JDK_JAVA_OPTIONS")).findFirst().orElseThrow().getValue();
        ProcessBuilder java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+PrintFlagsFinal",
                "-version").redirectErrorStream(true);
        java.environment().put("JAVA_TOOL_OPTIONS", String.join(" ", ServiceJvmTest.imageFlags()));
        java.environment().put("JDK_JAVA_OPTIONS", options);
        Process process = java.start();
        String flags = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(flags).isZero();
        assertThat(flags).containsPattern("MaxHeapSize\\s+= 536870912 ").containsPattern("TieredStopAtLevel\\s+= 1 ")
                .containsPattern("UseSerialGC\\s+= true ");
    }

    @Test
    void forAListOfNamespacesTheServicesGetRolesThereAndNoClusterRole() {
        String yaml = new Helm(CHART).template().withName("fleet").withNamespace("pgfleet-system")
                .set("kafka.bootstrapServers", "kafka:9092").set("database.url", "jdbc:postgresql://db:5432/pgfleet")
                .set("backup.defaultCredentialsSecret", "backup-defaults").set("rbac.namespaces[0]", "team-a").set("rbac.namespaces[1]", "team-b")
                .set("tenancy.mode", "namespaced").set("secrets.keySecret", "fleet-key").set("backup.verifySchedule", "0 4 * * 0")
                .set("database.sslMode", "verify-full").set("database.caSecret", "pgfleet-db-ca")
                .set("kafka.securityProtocol", "SASL_SSL").set("kafka.credentialsSecret", "kafka-creds").set("kafka.truststoreSecret", "kafka-ts")
                .call();
        List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        assertThat(of(items, ClusterRole.class)).isEmpty();
        assertThat(of(items, ClusterRoleBinding.class)).isEmpty();
        assertThat(of(items, io.fabric8.kubernetes.api.model.rbac.Role.class)).hasSize(9)
                .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
                .contains("team-a/fleet-provisioner", "team-b/fleet-backup-worker");
        // In the release's own namespace, the Secrets that hold manifest keys and client CAs (out of the tenants' namespaces), and only them.
        assertThat(of(items, io.fabric8.kubernetes.api.model.rbac.Role.class))
                .filteredOn(r -> "pgfleet-system".equals(r.getMetadata().getNamespace()))
                .extracting(r -> r.getMetadata().getName() + ":" + r.getRules().stream().map(rule -> rule.getResources() + "" + rule.getVerbs()).toList())
                .containsExactlyInAnyOrder("fleet-provisioner-home:[[secrets][create, delete, get, update]]",
                        "fleet-user-manager-home:[[secrets][get]]", "fleet-backup-worker-home:[[secrets][create, get, update]]");
        assertThat(of(items, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class)).hasSize(9)
                .allSatisfy(b -> assertThat(b.getSubjects().get(0).getNamespace()).isEqualTo("pgfleet-system"));
        assertThat(of(items, Deployment.class)).allSatisfy(d -> assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("PGFLEET_TENANCY_MODE=namespaced")));
        // The operator's restore drill schedule reaches the backup-worker, which runs the drills.
        assertThat(of(items, Deployment.class)).filteredOn(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .anyMatch(e -> (e.getName() + "=" + e.getValue()).equals("PGFLEET_BACKUP_VERIFY_SCHEDULE=0 4 * * 0")))
                .extracting(d -> d.getMetadata().getName()).containsExactly("fleet-backup-worker");
        // The fleet's key for sealed secrets, from its Secret, in every service.
        assertThat(of(items, Deployment.class)).allSatisfy(d -> {
            io.fabric8.kubernetes.api.model.PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getVolumes()).anyMatch(v -> v.getSecret() != null && "fleet-key".equals(v.getSecret().getSecretName()));
            assertThat(pod.getContainers().get(0).getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
                    .isEqualTo("PGFLEET_SECRETS_KEY_FILE=/etc/pgfleet/fleet-key/fleet-key.pem"));
            // The state database over TLS, verified with its CA from a Secret.
            assertThat(pod.getContainers().get(0).getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo(
                    "PGFLEET_DB_URL=jdbc:postgresql://db:5432/pgfleet?sslmode=verify-full&sslrootcert=/etc/pgfleet/db-ca/ca.crt"));
            assertThat(pod.getVolumes()).anyMatch(v -> v.getSecret() != null && "pgfleet-db-ca".equals(v.getSecret().getSecretName()));
            // Kafka over SASL_SSL: SCRAM credentials from a Secret (never in the manifest), the truststore from another.
            assertThat(pod.getContainers().get(0).getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo(
                    "KAFKA_SASL_JAAS_CONFIG=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$(PGFLEET_KAFKA_USER)\" "
                            + "password=\"$(PGFLEET_KAFKA_PASSWORD)\";"));
            assertThat(pod.getContainers().get(0).getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
                    .isEqualTo("KAFKA_SECURITY_PROTOCOL=SASL_SSL"));
            assertThat(pod.getVolumes()).anyMatch(v -> v.getSecret() != null && "kafka-ts".equals(v.getSecret().getSecretName()));
        });
    }

    @Test
    void thePodsMeetPodSecurityRestrictedAndRunTheImageTheBuildTags() throws Exception {
        String version = new String(java.nio.file.Files.readAllBytes(CHART.resolve("Chart.yaml")), StandardCharsets.UTF_8)
                .lines().filter(l -> l.startsWith("appVersion:")).findFirst().orElseThrow().replaceAll(".*\"(.*)\".*", "$1");
        // the version Jib tags the images with is the project's (the parent pom's)
        assertThat(new String(java.nio.file.Files.readAllBytes(CHART.resolve("../../pom.xml")), StandardCharsets.UTF_8))
                .contains("<version>" + version + "</version>");
        for (Deployment deployment : of(render(), Deployment.class)) {
            io.fabric8.kubernetes.api.model.PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().get(0);
            assertThat(container.getImage()).isEqualTo("pgfleet/" + container.getName() + ":" + version);
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        }
    }

    @Test
    void anOperatorPlacesThePodsPinsTheImageAndLabelsTheServiceMonitor() {
        String yaml = new Helm(CHART).template().withName("fleet").withNamespace("pgfleet-system")
                .set("kafka.bootstrapServers", "kafka:9092").set("database.url", "jdbc:postgresql://db:5432/pgfleet")
                .set("image.registry", "registry.example").set("image.repository", "platform/pgfleet")
                .set("image.digest", "sha256:" + "a".repeat(64)).set("image.pullSecrets[0].name", "regcred")
                .set("nodeSelector.pool", "system").set("tolerations[0].key", "dedicated").set("tolerations[0].operator", "Exists")
                .set("podAnnotations.team", "platform").set("serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", "arn:aws:iam::1:role/pgfleet")
                .set("metrics.serviceMonitor.enabled", "true").set("metrics.serviceMonitor.labels.release", "kube-prometheus-stack")
                .set("services.userManager.replicas", "1").call();
        List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        for (Deployment deployment : of(items, Deployment.class)) {
            io.fabric8.kubernetes.api.model.PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            String name = pod.getContainers().get(0).getName();
            assertThat(pod.getContainers().get(0).getImage()).isEqualTo("registry.example/platform/pgfleet/" + name + "@sha256:" + "a".repeat(64));
            assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("regcred");
            assertThat(pod.getNodeSelector()).containsEntry("pool", "system");
            assertThat(pod.getTolerations()).extracting(t -> t.getKey()).containsExactly("dedicated");
            assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("team", "platform")
                    .containsEntry("prometheus.io/path", "/prometheus");
        }
        assertThat(of(items, ServiceAccount.class)).allSatisfy(a -> assertThat(a.getMetadata().getAnnotations())
                .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/pgfleet"));
        // one replica: no disruption budget, which would block every node drain
        assertThat(of(items, PodDisruptionBudget.class)).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("fleet-provisioner", "fleet-backup-worker");
        assertThat(yaml).contains("kind: ServiceMonitor").contains("release: kube-prometheus-stack");
    }

    @Test
    void aMisspelledValueIsRefusedAtInstallNotAtStart() {
        // values.schema.json: these rendered before and failed only when the services read them
        for (String[] wrong : new String[][] {{"tenancy.mode", "bogus"}, {"kafka.securityProtocol", "SASL_TLS"}, {"database.sslMode", "verify"},
                {"image.digest", "latest"}, {"services.provisioner.replicas", "-1"}}) {
            assertThatThrownBy(() -> new Helm(CHART).template().withName("fleet").set("kafka.bootstrapServers", "kafka:9092")
                    .set("database.url", "jdbc:postgresql://db:5432/pgfleet").set(wrong[0], wrong[1]).call())
                    .as(wrong[0]).hasMessageContaining(wrong[0].substring(wrong[0].lastIndexOf('.') + 1));
        }
    }

    @Test
    void requiredValuesAreNamedWhenMissing() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("fleet").call()).hasMessageContaining("kafka.bootstrapServers is required");
    }

    @Test
    void eachServiceMayMakeExactlyTheKubernetesCallsItsCodeMakes() throws Exception {
        // (each spec applied step after step, as the job runner does, until CloudNativePG's members are waited for)
        Map<String, ClusterRole> roles = new java.util.HashMap<>();
        of(render(), ClusterRole.class).forEach(r -> roles.put(r.getMetadata().getName().replace("fleet-", ""), r));

        KubernetesClusterDriver driver = new KubernetesClusterDriver(client, "svc");
        InstanceKey key = new InstanceKey("tenant-r", "pg-rbac");
        client.secrets().inNamespace("tenant-r").resource(new SecretBuilder().withNewMetadata().withName("pg-rbac-ca")
                .addToLabels("cnpg.io/cluster", "pg-rbac").endMetadata()
                .addToData("ca.crt", b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")).build()).create();
        // the credentials the user-manager and the backup-worker stored for the instance, which its delete removes
        io.pgfleet.runtime.credentials.CredentialStores stores = new io.pgfleet.runtime.credentials.CredentialStores("kubernetes",
                () -> client, "", "pgfleet-system");
        io.pgfleet.runtime.credentials.CredentialStores.KINDS.forEach(kind -> stores.kind(kind).write(key, Map.of("k", "v")));
        drain();

        // The provisioner: create, observe, change, expose and unexpose, pool (two Poolers, one changed, one removed), reach, delete.
        settle(driver, key, new ClusterSpec(true, "10Gi", 3, "replicated", Map.of(), 0, 1));
        settle(driver, key, new ClusterSpec(false, "10Gi", 4, "replicated", Map.of(), 0, 1, true,
                new io.pgfleet.events.postgres.Pooler(true, "transaction", 200, 10, true)));
        settle(driver, key, new ClusterSpec(false, "10Gi", 4, "replicated", Map.of(), 0, 1, true,
                new io.pgfleet.events.postgres.Pooler(true, "session", 200, 10, false)));
        driver.observe(key);
        driver.primary(key);
        driver.delete(key);
        // ... and with the instance, its stored credentials (what the provisioner's delete does after the driver's)
        stores.deleteAll(key);
        Set<String> provisioner = drain();

        settle(driver, key, new ClusterSpec(false, "10Gi", 1, "replicated", Map.of(), 0, 0));
        drain();
        // The user-manager and the backup-worker: reach the instance, keep credentials.
        driver.primary(key);
        KubernetesCredentialStore users = new KubernetesCredentialStore(client, "credentials");
        users.read(key);
        users.write(key, Map.of("alice", "a"));
        users.write(key, Map.of("bob", "b"));
        Set<String> userManager = drain();
        driver.primary(key);
        KubernetesCredentialStore backup = new KubernetesCredentialStore(client, "backup");
        backup.read(key);
        backup.write(key, Map.of("resticPassword", "r"));
        backup.write(key, Map.of("resticPassword", "s"));
        // ... and keep the key of its manifests, in pgfleet's own namespace
        stores.kind(io.pgfleet.runtime.credentials.CredentialStores.MANIFEST).read(key);
        stores.kind(io.pgfleet.runtime.credentials.CredentialStores.MANIFEST).write(key, Map.of("manifestKey", "m"));
        stores.kind(io.pgfleet.runtime.credentials.CredentialStores.MANIFEST).write(key, Map.of("manifestKey", "n"));
        // ... and declare its WAL archive to the Barman Cloud plugin, then change its schedule and window
        driver.declareArchive(key, new io.pgfleet.clusters.ArchiveTarget("s3://b/_wal/tenant-r/pg-rbac", null, "0 3 * * *", 7));
        driver.declareArchive(key, new io.pgfleet.clusters.ArchiveTarget("s3://b/_wal/tenant-r/pg-rbac", null, "0 4 * * *", 14));
        driver.recoverableFrom(key);
        Set<String> backupWorker = new TreeSet<>(drain());
        // ... and restore it to a time: recorded, taken over by a newer command, the Cluster replaced, CloudNativePG's report read
        java.time.Instant at = java.time.Instant.parse("2026-11-30T12:00:00Z");
        driver.recover(key, new io.pgfleet.clusters.Recovery("cmd-1", at, null, null, () -> { }));
        io.pgfleet.clusters.Recovery newer = new io.pgfleet.clusters.Recovery("cmd-2", at, null, null, () -> { });
        for (int step = 0; step < 3; step++) {
            driver.recover(key, newer);
        }
        backupWorker.addAll(drain());
        var clusters = client.genericKubernetesResources(io.pgfleet.clusters.kubernetes.CnpgModel.CLUSTER).inNamespace("tenant-r");
        io.fabric8.kubernetes.api.model.GenericKubernetesResource recovered = clusters.withName("pg-rbac").get();
        recovered.setAdditionalProperty("status", Map.of("readyInstances", 1));
        clusters.resource(recovered).update();
        drain();
        assertThat(driver.recover(key, newer).outcome()).isEqualTo(io.pgfleet.runtime.job.Step.Outcome.DONE);
        backupWorker.addAll(drain());
        // ... and drill it: a scratch Cluster of a backup and of a time made, waited for, its CA read, found by the sweeper, deleted
        io.pgfleet.clusters.DrillServers drills = driver.drills().orElseThrow();
        drills.start(key, "verify-1");
        drills.recover(key, "verify-2", at, () -> { });
        var scratch = clusters.withName("pgfleet-verify-1").get();
        scratch.setAdditionalProperty("status", Map.of("readyInstances", 1));
        clusters.resource(scratch).update();
        drain();
        drills.start(key, "verify-1");
        drills.existing(List.of(key));
        drills.remove(key, "verify-1");
        drills.remove(key, "verify-2");
        backupWorker.addAll(drain());

        assertThat(granted(roles.get("provisioner"))).isEqualTo(provisioner);
        assertThat(granted(roles.get("user-manager"))).isEqualTo(userManager);
        assertThat(granted(roles.get("backup-worker"))).isEqualTo(backupWorker);
    }

    /** The calls sent since the last drain, as {@code group/resource:verb}. */
    private static Set<String> drain() throws InterruptedException {
        Set<String> calls = new TreeSet<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            Matcher path = API_PATH.matcher(request.getPath());
            assertThat(path.matches()).as(request.getPath()).isTrue();
            String group = path.group(1) == null ? "" : path.group(1);
            boolean named = path.group(3) != null;
            String verb = switch (request.getMethod()) {
                case "GET" -> named ? "get" : (request.getPath().contains("watch=true") ? "watch" : "list");
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> named ? "delete" : "deletecollection";
                default -> request.getMethod();
            };
            calls.add(group + "/" + path.group(2) + ":" + verb);
        }
        return calls;
    }

    private static Set<String> granted(ClusterRole role) {
        Set<String> granted = new TreeSet<>();
        role.getRules().forEach(rule -> rule.getApiGroups().forEach(group -> rule.getResources().forEach(resource ->
                rule.getVerbs().forEach(verb -> granted.add(group + "/" + resource + ":" + verb)))));
        return granted;
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Applies as the job runner would, step after step, until the step waits for the members, ends or fails (at most ten). */
    private static void settle(KubernetesClusterDriver driver, InstanceKey key, ClusterSpec spec) {
        Step step = driver.apply(key, spec);
        for (int i = 0; i < 10 && step.outcome() == Step.Outcome.WAIT && !step.message().contains("members ready"); i++) {
            step = driver.apply(key, spec);
        }
    }
}
