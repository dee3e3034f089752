package io.pgfleet.clusters.local;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.pgfleet.host.OsUser;
import java.time.Instant;
import java.util.Comparator;

/**
 * The directory of one local instance:
 * <pre>
 * &lt;storage class dir&gt;/&lt;namespace&gt;/&lt;name&gt;/
 *   members.json           member index → port (ports stay the same across restarts)
 *   primary.json           which member is the primary ({@link Designation}); absent: member 1, as provisioned
 *   superuser.password     the superuser credential (mode 0600, the service's account)
 *   replication/pgpass     the replication credential (the PostgreSQL account, 0600)
 *   member-1/ member-2/ …  one per member: data/, server.log, the Unix socket
 * </pre>
 */
final class LocalInstance {

    static final String SUPERUSER = "postgres";
    static final String REPLICATION_USER = "streaming_replica";
    private static final TypeReference<TreeMap<Integer, Integer>> PORTS = new TypeReference<>() {
    };

    private final InstanceKey key;
    private final Path dir;
    private final LocalSettings settings;
    private Designation designation;

    LocalInstance(InstanceKey key, Path dir, LocalSettings settings) {
        this.key = key;
        this.dir = dir;
        this.settings = settings;
    }

    InstanceKey key() {
        return key;
    }

    Path dir() {
        return dir;
    }

    boolean exists() {
        return Files.exists(dir.resolve("members.json"));
    }

    /** The OS account the instance's servers and programs run as ({@link LocalSettings#osUser(InstanceKey)}). */
    OsUser osUser() {
        return settings.osUser(key);
    }

    /** Creates the account, the directory and the credentials on first use; later calls change nothing. */
    void ensureCreated() {
        osUser().ensureExists();
        // The PostgreSQL account must traverse every directory down to its member directories.
        Path parent = dir.getParent();
        if (!Files.exists(parent)) {
            LocalFiles.mkdir(parent, "rwx--x--x");
        }
        if (!Files.exists(dir)) {
            LocalFiles.mkdir(dir, "rwx--x--x");
        }
        if (!Files.exists(passwordFile())) {
            LocalFiles.write(passwordFile(), randomSecret() + "\n", "rw-------");
        }
        Path replication = dir.resolve("replication");
        if (!Files.exists(replication.resolve("pgpass"))) {
            LocalFiles.mkdir(replication, "rwx------");
            LocalFiles.write(replication.resolve("password"), randomSecret() + "\n", "rw-------");
            LocalFiles.write(replication.resolve("pgpass"), "*:*:*:" + REPLICATION_USER + ":" + replicationPassword() + "\n", "rw-------");
            osUser().own(replication);
        }
        if (!exists()) {
            savePorts(new TreeMap<>());
        }
    }

    String superuserPassword() {
        return LocalFiles.read(passwordFile()).orElseThrow(() -> new IllegalStateException("no superuser credential for " + key)).strip();
    }

    String replicationPassword() {
        return LocalFiles.read(dir.resolve("replication/password")).orElseThrow().strip();
    }

    Path passwordFile() {
        return dir.resolve("superuser.password");
    }

    Path pgpassFile() {
        return dir.resolve("replication/pgpass");
    }

    /**
     * Which member is the primary. Written before a standby is promoted, so a member that is not named here never
     * runs as a primary again (fencing): the driver starts every other member as a standby.
     *
     * @param member      the primary's index
     * @param previous    the primary before it, or 0
     * @param promotedAt  when this member was chosen (null for the first primary)
     * @param reason      {@code Failover} or {@code Switchover} (null for the first primary)
     */
    record Designation(int member, int previous, Instant promotedAt, String reason) {

        static Designation first() {
            return new Designation(1, 0, null, null);
        }
    }

    Designation designation() {
        if (designation == null) {
            designation = LocalFiles.read(dir.resolve("primary.json")).map(text -> {
                try {
                    return Json.mapper().readValue(text, Designation.class);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).orElse(Designation.first());
        }
        return designation;
    }

    int primaryIndex() {
        return designation().member();
    }

    /** Names another member the primary (written whole: a reader sees the old designation or the new one). */
    void designate(Designation next) {
        try {
            LocalFiles.write(dir.resolve("primary.json"), Json.mapper().writeValueAsString(next), "rw-r--r--");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        designation = next;
    }

    /** Member index → port. */
    TreeMap<Integer, Integer> ports() {
        try {
            return Json.mapper().readValue(dir.resolve("members.json").toFile(), PORTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void savePorts(Map<Integer, Integer> ports) {
        try {
            LocalFiles.write(dir.resolve("members.json"), Json.mapper().writeValueAsString(new TreeMap<>(ports)), "rw-r--r--");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The member with this index, allocating it a port on first use. */
    LocalMember member(int index) {
        Integer port = ports().get(index);
        if (port == null) {
            port = MemberPorts.allocate(settings, free -> {
                TreeMap<Integer, Integer> ports = ports();
                Integer recorded = ports.putIfAbsent(index, free);
                if (recorded != null) {
                    return recorded;
                }
                savePorts(ports);
                return free;
            });
        }
        return new LocalMember(this, index, port, settings);
    }

    /** Every member recorded, primary first, then by index. */
    List<LocalMember> members() {
        int primary = primaryIndex();
        return ports().entrySet().stream().map(e -> new LocalMember(this, e.getKey(), e.getValue(), settings))
                .sorted(Comparator.comparing((LocalMember m) -> m.index() != primary).thenComparing(LocalMember::index)).toList();
    }

    void forget(int index) {
        TreeMap<Integer, Integer> ports = ports();
        ports.remove(index);
        savePorts(ports);
    }

    String memberName(int index) {
        return key.name() + "-" + index;
    }

    /** A secret of 192 random bits (hex): the superuser's and replication role's passwords. */
    static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
