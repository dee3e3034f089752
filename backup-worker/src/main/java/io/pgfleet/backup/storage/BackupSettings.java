package io.pgfleet.backup.storage;

import io.pgfleet.backup.catalog.BackupConfigRow;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.convert.format.ReadableBytes;
import io.pgfleet.backup.plan.BackupPlan;
import io.pgfleet.backup.restic.PinnedProxy;
import io.pgfleet.backup.restic.ResticCredentials;
import io.pgfleet.backup.restic.ResticRepository;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.validation.S3Location;
import io.pgfleet.runtime.credentials.CredentialStore;
import io.pgfleet.runtime.credentials.CredentialStores;
import jakarta.inject.Singleton;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.Optional;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The backup-worker's configuration and where each instance's repository and credentials come from.
 * Config:
 * <ul>
 *   <li>{@code pgfleet.backup.s3-endpoint}: the S3 endpoint for buckets that name none (default
 *       {@code https://s3.amazonaws.com});</li>
 *   <li>{@code pgfleet.backup.s3-endpoint-override}: every repository goes to this endpoint whatever
 *       endpoint its bucket names (the local stack: one S3 server on loopback stands for all);</li>
 *   <li>the fleet's default credentials, used for instances whose documents carry none (all three or none):
 *       {@code pgfleet.backup.default-credentials.s3-access-key}: the S3 access key;
 *       {@code pgfleet.backup.default-credentials.s3-secret-key}: the S3 secret key;
 *       {@code pgfleet.backup.default-credentials.restic-password}: the repositories' password;</li>
 *   <li>{@code pgfleet.backup.restic}: the restic program (default {@code restic} on the PATH);</li>
 *   <li>{@code pgfleet.backup.timeout}: the longest a single dump, save or restore may take (default 6h);</li>
 *   <li>{@code pgfleet.backup.work-dir}: where small databases and the roles are dumped before they are saved
 *       together (default {@code <java.io.tmpdir>/pgfleet-backup}; one directory per backup, mode 0700, removed after it);</li>
 *   <li>{@code pgfleet.backup.small-database}: the largest database ({@code pg_database_size}) dumped to the work directory and saved with the roles
 *       rather than streamed into its own snapshot (default 64MB; 0 streams every database);</li>
 *   <li>{@code pgfleet.backup.small-databases-total}: the most the databases saved with the roles may add up to (default 1GB),
 *       and the most a restore copies to the work directory (dumps read once there, then {@code pg_restore -j}).</li>
 * </ul>
 */
@Singleton
public class BackupSettings {

    /** The credential store kind: Secret {@code <name>-backup}, file {@code <name>-backup.json}. */
    public static final String CREDENTIALS = CredentialStores.BACKUP;

    private final String s3Endpoint;
    private final String endpointOverride;
    private final ResticCredentials defaults;
    private final String restic;
    private final Duration timeout;
    private final CredentialStore store;
    private final CredentialStores stores;
    private final Path workDir;
    private final long smallDatabase;
    private final long smallTotal;
    private final S3Guard guard;

    public BackupSettings(@Value("${pgfleet.backup.s3-endpoint:`https://s3.amazonaws.com`}") String s3Endpoint,
                          @Value("${pgfleet.backup.s3-endpoint-override:}") String endpointOverride,
                          @Value("${pgfleet.backup.default-credentials.s3-access-key:}") String accessKey,
                          @Value("${pgfleet.backup.default-credentials.s3-secret-key:}") String secretKey,
                          @Value("${pgfleet.backup.default-credentials.restic-password:}") String password,
                          @Value("${pgfleet.backup.restic:restic}") String restic,
                          @Value("${pgfleet.backup.timeout:6h}") Duration timeout,
                          @Value("${pgfleet.backup.work-dir:}") String workDir,
                          @Value("${pgfleet.backup.small-database:64MB}") @ReadableBytes long smallDatabase,
                          @Value("${pgfleet.backup.small-databases-total:1GB}") @ReadableBytes long smallTotal,
                          CredentialStores stores, S3Guard guard) {
        this.guard = guard;
        this.s3Endpoint = s3Endpoint;
        this.endpointOverride = endpointOverride;
        this.defaults = accessKey.isEmpty() || secretKey.isEmpty() || password.isEmpty() ? null
                : new ResticCredentials(accessKey, secretKey, password);
        this.restic = restic;
        this.timeout = timeout;
        this.store = stores.kind(CREDENTIALS);
        this.stores = stores;
        this.workDir = workDir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "pgfleet-backup")
                : Path.of(workDir);
        this.smallDatabase = smallDatabase;
        this.smallTotal = smallTotal;
    }

    /** Where a backup dumps the roles and its small databases before saving them together. */
    /** The most the work directory holds for one backup or restore ({@code small-databases-total}). */
    public long workBudget() {
        return smallTotal;
    }

    public Path workDir() {
        return workDir;
    }

    /** Which databases are saved with the roles and which are streamed, by their sizes. */
    public BackupPlan plan(Map<String, Long> sizes) {
        return BackupPlan.of(sizes, smallDatabase, smallTotal);
    }

    /** Where credentials from documents are kept. */
    public CredentialStore store() {
        return store;
    }

    /** The key under which an instance's manifest key is kept in its manifest-key store. */
    static final String MANIFEST_KEY = "manifestKey";

    /**
     * The key that authenticates the instance's manifests: 32 random bytes made at its first backup and kept in the store of
     * kind {@link CredentialStores#MANIFEST} (never in a document, an event or a state table; under Kubernetes in pgfleet's
     * own namespace, not the tenant's), so only the backup-worker can sign for it.
     */
    public byte[] manifestKey(InstanceKey instance) {
        CredentialStore keys = stores.kind(CredentialStores.MANIFEST);
        String stored = keys.read(instance).get(MANIFEST_KEY);
        if (stored == null) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            keys.write(instance, Map.of(MANIFEST_KEY, Base64.getEncoder().encodeToString(key)));
            stored = keys.read(instance).get(MANIFEST_KEY);
        }
        return Base64.getDecoder().decode(stored);
    }

    /** The instance's manifest key, if it has one (a restore never makes one). */
    public Optional<byte[]> existingManifestKey(InstanceKey instance) {
        return Optional.ofNullable(stores.kind(CredentialStores.MANIFEST).read(instance).get(MANIFEST_KEY))
                .map(Base64.getDecoder()::decode);
    }

    /** The instance's stored credentials, else the operator's defaults. */
    public Optional<ResticCredentials> credentials(InstanceKey instance) {
        return Optional.ofNullable(ResticCredentials.from(store.read(instance))).or(() -> Optional.ofNullable(defaults));
    }

    /** The repository location of an instance (no credential in it). */
    public String repositoryUrl(BackupConfigRow config, InstanceKey instance) {
        S3Location location = S3Location.parse(config.s3Bucket());
        if (!endpointOverride.isBlank()) {
            return new S3Location(location.scheme(), null, location.bucket(), location.prefix())
                    .resticRepository(endpointOverride, instance.namespace(), instance.name());
        }
        return location.resticRepository(s3Endpoint, instance.namespace(), instance.name());
    }

    /**
     * The instance's repository, opened with these credentials once {@link S3Guard} let them go to its endpoint, and reached
     * at the address judged then: an HTTPS endpoint through a tunnel of the {@link PinnedProxy} to that address (TLS is still
     * verified against the name), an HTTP one at the address itself. Where the service has a proxy of the operator's
     * ({@code HTTPS_PROXY}), that proxy resolves names and is used as it is.
     */
    public ResticRepository repository(BackupConfigRow config, InstanceKey instance, ResticCredentials credentials) {
        Optional<S3Guard.Pin> pin = guard.pin(config.s3Bucket(), credentials);
        String url = repositoryUrl(config, instance);
        Map<String, String> network = Map.of();
        if (pin.isPresent() && pin.get().tls() && System.getenv("HTTPS_PROXY") == null && System.getenv("https_proxy") == null) {
            network = Map.of("HTTPS_PROXY", PinnedProxy.shared().route(pin.get().host(), pin.get().port(), pin.get().address()),
                    "NO_PROXY", "", "no_proxy", "");
        } else if (pin.isPresent() && !pin.get().tls()) {
            S3Location location = S3Location.parse(config.s3Bucket());
            String address = pin.get().address() instanceof Inet6Address ? "[" + pin.get().address().getHostAddress() + "]"
                    : pin.get().address().getHostAddress();
            url = new S3Location(location.scheme(), address + ":" + pin.get().port(), location.bucket(), location.prefix())
                    .resticRepository(s3Endpoint, instance.namespace(), instance.name());
        }
        return new ResticRepository(restic, url, config.s3Region(), instance.toString(), credentials, timeout, network);
    }

    public Duration timeout() {
        return timeout;
    }
}
