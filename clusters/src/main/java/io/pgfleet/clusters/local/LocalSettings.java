package io.pgfleet.clusters.local;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import jakarta.inject.Singleton;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import io.pgfleet.host.DataRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Settings of the local driver.
 *
 * <ul>
 *   <li>{@code pgfleet.local.data-root}: where instances live (default {@code /var/lib/pgfleet} as root,
 *       else {@code ~/.pgfleet/clusters}); the OS user PostgreSQL runs as must be able to traverse it;</li>
 *   <li>{@code pgfleet.local.storage-classes}: a directory per storage class, as {@code <class>: <directory>} (a class not
 *       named there: {@code <data-root>/<class>});</li>
 *   <li>{@code pgfleet.local.external-address}: where external instances listen (default {@code 0.0.0.0});
 *       instances that are not external listen on 127.0.0.1 only;</li>
 *   <li>{@code pgfleet.local.os-user}: the account PostgreSQL runs as when the service runs as root: {@code per-instance}
 *       (the default) makes an account for each instance, named from its data root; an account's name shares that one
 *       (single-tenant);</li>
 *   <li>{@code pgfleet.local.bin-dir}: PostgreSQL's bin directory (default: the newest under
 *       /usr/lib/postgresql);</li>
 *   <li>{@code pgfleet.local.start-timeout}: how long a member may take to start (default 120s);</li>
 *   <li>{@code pgfleet.local.pgbackrest}: the pgBackRest program the members archive their WAL with (default: {@code pgbackrest}
 *       found on the PATH);</li>
 *   <li>{@code pgfleet.local.archive-delay}: the most a written WAL record waits to be archived ({@code archive_timeout},
 *       default 60s: the most a point-in-time restore can miss); WAL waiting longer than that makes the instance
 *       {@code DEGRADED}.</li>
 *   <li>{@code pgfleet.local.probe-timeout} (default 2s): the most the driver waits for a member to answer a look at it
 *       (a connection, then each statement);</li>
 *   <li>{@code pgfleet.local.unresponsive-after} (default 10s): how long a running primary may leave the driver's probes
 *       unanswered before it is killed and replaced like a stopped one (a standby, like the primary, stops counting towards
 *       the quorum when it has not answered its primary for as long: {@code wal_sender_timeout}).</li>
 *   <li>{@code pgfleet.local.warm-pool} (default 2): how many data directories the provisioner keeps made ahead for new
 *       primaries in each storage class, made while the driver is idle ({@link WarmPool}); 0 turns the pool off.</li>
 * </ul>
 */
@Singleton
public class LocalSettings {

    private final Path dataRoot;
    private final LocalTls tls;
    private final Map<String, Path> storageClasses = new HashMap<>();
    private final String externalAddress;
    /** {@code pgfleet.local.os-user} for an account per instance (the default). */
    static final String PER_INSTANCE = "per-instance";
    private final OsUser osUser;
    private final boolean perInstance;
    private final Map<InstanceKey, OsUser> accounts = new ConcurrentHashMap<>();
    private final PgBinaries binaries;
    private final Duration startTimeout;
    /** {@code pgfleet.local.tls} (default true): false only to measure what TLS costs; members then serve no TLS. */
    private boolean tlsEnabled = true;
    /** {@code pgfleet.local.failover-delay} (default 10s): how long a stopped primary whose data is intact is given to start again. */
    private Duration failoverDelay = Duration.ofSeconds(10);
    private String pgbackrest = "pgbackrest";
    private Duration archiveDelay = Duration.ofSeconds(60);
    private Duration probeTimeout = Duration.ofSeconds(2);
    private Duration unresponsiveAfter = Duration.ofSeconds(10);
    /** {@code pgfleet.local.warm-pool}: data directories made ahead per storage class ({@link WarmPool}); 0 turns it off. */
    private int warmPool;

    public LocalSettings(Environment environment,
                         @Value("${pgfleet.local.data-root:}") String dataRoot,
                         @Value("${pgfleet.local.external-address:0.0.0.0}") String externalAddress,
                         @Value("${pgfleet.local.os-user:per-instance}") String osUser,
                         @Value("${pgfleet.local.bin-dir:}") String binDir,
                         @Value("${pgfleet.local.start-timeout:120s}") Duration startTimeout, MemberSettings members) {
        this(DataRoot.of(dataRoot), externalAddress,
                OsUser.forPostgres(PER_INSTANCE.equals(osUser) ? "nobody" : osUser), PER_INSTANCE.equals(osUser) && OsUser.isRoot(),
                PgBinaries.find(binDir.isBlank() ? Optional.empty() : Optional.of(Path.of(binDir))), startTimeout);
        this.tlsEnabled = members.tls();
        this.failoverDelay = members.failoverDelay();
        this.pgbackrest = members.pgbackrest();
        this.archiveDelay = members.archiveDelay();
        this.probeTimeout = members.probeTimeout();
        this.unresponsiveAfter = members.unresponsiveAfter();
        this.warmPool = members.warmPool();
        environment.getProperties("pgfleet.local.storage-classes")
                .forEach((name, dir) -> storageClasses.put(name, Path.of(dir.toString())));
    }

    public LocalSettings(Path dataRoot, String externalAddress, OsUser osUser, PgBinaries binaries, Duration startTimeout) {
        this(dataRoot, externalAddress, osUser, false, binaries, startTimeout);
    }

    public LocalSettings(Path dataRoot, String externalAddress, OsUser osUser, boolean perInstance, PgBinaries binaries, Duration startTimeout) {
        this.perInstance = perInstance;
        this.tls = new LocalTls(dataRoot.toAbsolutePath());
        this.dataRoot = dataRoot.toAbsolutePath();
        this.externalAddress = externalAddress;
        this.osUser = osUser;
        this.binaries = binaries;
        this.startTimeout = startTimeout;
    }

    /** The storage classes configured with a directory of their own. */
    public Set<String> storageClassNames() {
        return Set.copyOf(storageClasses.keySet());
    }

    /** How many data directories the warm pool keeps ready per storage class (0: none). */
    public int warmPool() {
        return warmPool;
    }

    public LocalSettings warmPool(int entries) {
        this.warmPool = entries;
        return this;
    }

    /**
     * The account the warm pool's {@code initdb} runs as: with an account per instance, the pool's own ({@code pgf-pool},
     * one per machine, kept: an instance's account is {@code pgf-} and 12 hex digits), never an instance's, nor the shared
     * {@code nobody} whose other processes could change a directory before a tenant's primary takes it.
     */
    public OsUser poolAccount() {
        return perInstance ? OsUser.perInstance(POOL_ACCOUNT) : osUser;
    }

    static final String POOL_ACCOUNT = "pgf-pool";

    /**
     * The account restore drills' scratch servers run as: with an account per instance, the drills' own ({@code pgf-drill},
     * one per machine), never an instance's, so no tenant's account can read a restored copy.
     */
    public OsUser drillAccount() {
        return perInstance ? OsUser.perInstance(DRILL_ACCOUNT) : osUser;
    }

    static final String DRILL_ACCOUNT = "pgf-drill";

    /** The directory of a storage class. */
    public Path storageClassRoot(String storageClass) {
        return storageClasses.getOrDefault(storageClass, dataRoot.resolve(storageClass)).toAbsolutePath();
    }

    /** Every directory instances can be under: the configured storage classes' and the data root's subdirectories. */
    public Set<Path> storageRoots() {
        Set<Path> roots = new HashSet<>();
        storageClasses.values().forEach(root -> roots.add(root.toAbsolutePath()));
        if (Files.isDirectory(dataRoot)) {
            try (Stream<Path> classes = Files.list(dataRoot)) {
                // .drills (restore drills' scratch servers) is no storage class
                classes.filter(Files::isDirectory).filter(dir -> !dir.getFileName().toString().startsWith(".")).forEach(roots::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return roots;
    }

    public Path dataRoot() {
        return dataRoot;
    }

    /** listen_addresses of an instance. */
    /** The members' TLS: the data root's CA and the members' certificates. */
    LocalTls tls() {
        return tls;
    }

    Duration failoverDelay() {
        return failoverDelay;
    }

    Duration probeTimeout() {
        return probeTimeout;
    }

    Duration unresponsiveAfter() {
        return unresponsiveAfter;
    }

    /** Sets {@code pgfleet.local.unresponsive-after} (for settings made without the configuration). */
    public LocalSettings unresponsiveAfter(Duration after) {
        this.unresponsiveAfter = after;
        return this;
    }

    /** Sets {@code pgfleet.local.failover-delay} (for settings made without the configuration). */
    public LocalSettings failoverDelay(Duration delay) {
        this.failoverDelay = delay;
        return this;
    }

    /**
     * The pgBackRest program as an absolute path (archive_command runs with the postmaster's environment, whose PATH
     * may not be ours).
     */
    public String pgbackrest() {
        if (pgbackrest.contains("/")) {
            return pgbackrest;
        }
        return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .map(dir -> Path.of(dir, pgbackrest)).filter(Files::isExecutable).findFirst()
                .map(Path::toString).orElse("/usr/bin/" + pgbackrest);
    }

    /** {@code pgfleet.local.archive-delay}. */
    public Duration archiveDelay() {
        return archiveDelay;
    }

    /** Sets {@code pgfleet.local.archive-delay} (for settings made without the configuration). */
    public LocalSettings archiveDelay(Duration delay) {
        this.archiveDelay = delay;
        return this;
    }

    /** Whether members serve TLS. */
    boolean tlsEnabled() {
        return tlsEnabled;
    }

    /** The CA certificate that signs the members' certificates (clients verify members with it). */
    public Path caCertificate() {
        return tls.caCertificate();
    }

    /** The names a member's certificate must carry: every address it listens on (the host's name for a wildcard) and localhost. */
    Set<String> certificateNames(boolean external) {
        Set<String> names = new TreeSet<>(List.of("localhost"));
        for (String address : listenAddresses(external).split(",")) {
            if (address.equals("*")) {
                try {
                    names.add(InetAddress.getLocalHost().getCanonicalHostName());
                } catch (UnknownHostException e) {
                    // localhost and the loopback address remain
                }
                names.add("127.0.0.1");
            } else {
                names.add(address);
            }
        }
        return names;
    }

    public String listenAddresses(boolean external) {
        if (!external) {
            return "127.0.0.1";
        }
        if (externalAddress.equals("0.0.0.0") || externalAddress.equals("*")) {
            return "*";
        }
        return externalAddress.equals("127.0.0.1") ? "127.0.0.1" : "127.0.0.1," + externalAddress;
    }

    public String externalAddress() {
        return externalAddress;
    }

    /**
     * The OS account an instance's servers and programs run as. Run as root, each instance has an account of its own
     * ({@code pgf-<12 hex digits of its key's SHA-256>}, made with the instance, removed with it), so no tenant's server
     * can read another's files; {@code pgfleet.local.os-user} naming an account instead shares that one (single-tenant).
     * Not run as root, every instance runs as this JVM's user: single-tenant.
     */
    public OsUser osUser(InstanceKey key) {
        if (!perInstance) {
            return osUser;
        }
        return accounts.computeIfAbsent(key, k -> OsUser.perInstance(legacyAccount(k).orElse(accountName(dataRoot, k))));
    }

    /**
     * The account an instance made before account names took the data root in runs as: its members' data directories are
     * owned by it, and an instance keeps the account it was made with.
     */
    private Optional<String> legacyAccount(InstanceKey key) {
        String legacy = accountName(key.toString());
        for (Path root : storageRoots()) {
            Path member = root.resolve(key.namespace()).resolve(key.name()).resolve("member-1").resolve("data");
            try {
                if (Files.isDirectory(member, LinkOption.NOFOLLOW_LINKS)
                        && legacy.equals(Files.getOwner(member, LinkOption.NOFOLLOW_LINKS).getName())) {
                    return Optional.of(legacy);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    /** Whether each instance runs as an account of its own. */
    public boolean accountPerInstance() {
        return perInstance;
    }

    /**
     * The account of an instance: {@code pgf-} and 12 hex digits of the SHA-256 of the data root and its key (account names
     * stay short). The data root is in it so that two installs on one machine (two local stacks, two test fixtures) never
     * share an account for instances of the same name, and one deleting its instance never removes the other's account.
     */
    static String accountName(Path dataRoot, InstanceKey key) {
        return accountName(dataRoot.toAbsolutePath().normalize() + "\n" + key);
    }

    private static String accountName(String identity) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return "pgf-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public PgBinaries binaries() {
        return binaries;
    }

    public Duration startTimeout() {
        return startTimeout;
    }
}
