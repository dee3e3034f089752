package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pgfleet.events.InstanceKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code Cluster} of a restore drill on CloudNativePG, rendered from the instance's (pure: no API calls). One
 * instance in the instance's own namespace — the Barman Cloud store it recovers from and the client CA that pgfleet's
 * superuser certificate is signed by are there, and a Cluster can name only what is in its namespace —, labelled as a
 * drill's ({@link #DRILL_LABEL}) and not as the instance's, so nothing of the instance's ever takes it for one of its
 * own. Nobody but pgfleet signs in: the superuser with pgfleet's client certificate, the restore's temporary logins as
 * members of a group of a random name ({@link #LOGIN_GROUP_ANNOTATION}), every other role refused — a tenant's restored role
 * too, with its own password. Never archiving (no {@code plugins}): it must not write into the instance's store. Bootstrapped
 * empty ({@code initdb}, to load a logical backup into), or by recovery from the instance's store to a time.
 */
public final class DrillModel {

    /** The label that marks a drill's Cluster, with the drill's id. */
    public static final String DRILL_LABEL = "pgfleet.io/drill";
    /** The label naming the instance a drill's Cluster checks a backup of. */
    public static final String DRILL_OF_LABEL = "pgfleet.io/drill-of";
    /** The annotation with the group whose members the drill's Cluster admits. */
    public static final String LOGIN_GROUP_ANNOTATION = "pgfleet.io/drill-login-group";
    /** The database CloudNativePG's {@code initdb} makes besides {@code postgres} (its default, {@code app}, could be a backup's). */
    static final String INITDB_DATABASE = "pgfleet_drill";

    private DrillModel() {
    }

    /** The name of drill {@code id}'s Cluster. */
    public static String clusterName(String id) {
        return "pgfleet-" + id;
    }

    /** The labels of drill {@code id}'s Cluster, made for a drill of {@code instance}. */
    public static Map<String, String> labels(InstanceKey instance, String id) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(CnpgModel.MANAGED_BY, "pgfleet");
        labels.put(DRILL_LABEL, id);
        labels.put(DRILL_OF_LABEL, instance.name());
        return labels;
    }

    /**
     * Drill {@code id}'s Cluster for a drill of {@code instance}, whose Cluster is {@code instanceCluster}: its storage,
     * image and PostgreSQL parameters (a recovery needs at least the primary's), with the drill's client authentication;
     * empty when {@code at} is {@code null}, else recovered from the instance's store to {@code at}.
     */
    @SuppressWarnings("unchecked")
    public static GenericKubernetesResource cluster(InstanceKey instance, GenericKubernetesResource instanceCluster, String id,
                                                    String loginGroup, Instant at) {
        Map<String, Object> had = (Map<String, Object>) instanceCluster.getAdditionalProperties().get("spec");
        Map<String, Object> postgresql = new LinkedHashMap<>();
        if (had.get("postgresql") instanceof Map<?, ?> instancePostgresql) {
            for (String kept : List.of("parameters", "shared_preload_libraries")) {
                if (instancePostgresql.get(kept) != null) {
                    postgresql.put(kept, instancePostgresql.get(kept));
                }
            }
        }
        postgresql.put("pg_hba", hba(loginGroup));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("instances", 1);
        if (had.get("imageName") != null) {
            spec.put("imageName", had.get("imageName"));
        }
        spec.put("enableSuperuserAccess", false);
        // pgfleet's superuser certificate of the instance signs in here too; no CA of the drill's own to make or keep.
        spec.put("certificates", Map.of("clientCASecret", ClientCertificates.caSecret(instance),
                "replicationTLSSecret", ClientCertificates.replicationSecret(instance)));
        spec.put("storage", had.get("storage"));
        spec.put("postgresql", postgresql);
        if (at == null) {
            spec.put("bootstrap", Map.of("initdb", Map.of("database", INITDB_DATABASE, "owner", INITDB_DATABASE)));
        } else {
            BarmanModel.recoverFrom(spec, instance, BarmanModel.serverName(instanceCluster), at);
        }
        GenericKubernetesResource cluster = new GenericKubernetesResource();
        cluster.setApiVersion("postgresql.cnpg.io/v1");
        cluster.setKind("Cluster");
        cluster.setMetadata(new ObjectMetaBuilder().withName(clusterName(id)).withNamespace(instance.namespace())
                .withLabels(labels(instance, id)).withAnnotations(Map.of(LOGIN_GROUP_ANNOTATION, loginGroup)).build());
        cluster.setAdditionalProperty("spec", spec);
        return cluster;
    }

    /**
     * The drill's client authentication, after CloudNativePG's own rules (its replication and pooler certificates) and
     * before its default password rule: the superuser by certificate, the login group's members by password, nobody else.
     */
    static List<String> hba(String loginGroup) {
        return List.of(CnpgModel.SUPERUSER_BY_CERTIFICATE, "hostssl all +" + loginGroup + " all scram-sha-256", "host all all all reject");
    }
}
