package io.pgfleet.backup.storage;

import io.pgfleet.backup.catalog.BackupConfigRow;
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
 *   <li>{@code pgfleet.backup.parallel}: how many dump and save programs a backup runs at a time (default 2);</li>
 *   <li>{@code pgfleet.backup.small-databases-total}: the most the databases saved with the roles may add up to (default 1GB),
 *       and the most a restore copies to the work directory (dumps read once there, then {@code pg_restore -j}).</li>
 * </ul>
 */
@Singleton
public class BackupSettings {

    /** The credential store kind: Secret {@code <name>-backup}, file {@code <name>-backup.json}. */
    public static final String CREDENTIALS = CredentialStores.BACKUP;

    private final RunSettings run;
    private final S3Settings s3;
    private final CommandLimits limits;
    private final CredentialStore store;
    private final CredentialStores stores;
    private final S3Guard guard;

    public BackupSettings(RunSettings run, S3Settings s3, CommandLimits limits, CredentialStores stores, S3Guard guard) {
        this.run = run;
        this.s3 = s3;
        this.limits = limits;
        this.store = stores.kind(CREDENTIALS);
        this.stores = stores;
        this.guard = guard;
    }

    /** How backups and restores run. */
    public RunSettings run() {
        return run;
    }

    /** Where repositories and WAL archives go. */
    public S3Settings s3() {
        return s3;
    }

    /** What commands may ask. */
    public CommandLimits limits() {
        return limits;
    }

    /** Which endpoints credentials may go to. */
    public S3Guard guard() {
        return guard;
    }

    /** The most the work directory holds for one backup or restore ({@code small-databases-total}). */
    public long workBudget() {
        return run.smallTotal();
    }

    /** Where a backup dumps the roles and its small databases before saving them together. */
    public Path workDir() {
        return run.workDir();
    }

    /** Which databases are saved with the roles and which are streamed, by their sizes. */
    public BackupPlan plan(Map<String, Long> sizes) {
        return BackupPlan.of(sizes, run.smallDatabase(), run.smallTotal());
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
        return Optional.ofNullable(ResticCredentials.from(store.read(instance))).or(s3::defaults);
    }

    /** The repository location of an instance (no credential in it). */
    public String repositoryUrl(BackupConfigRow config, InstanceKey instance) {
        S3Location location = S3Location.parse(config.s3Bucket());
        if (!s3.endpointOverride().isBlank()) {
            return new S3Location(location.scheme(), null, location.bucket(), location.prefix())
                    .resticRepository(s3.endpointOverride(), instance.namespace(), instance.name());
        }
        return location.resticRepository(s3.endpoint(), instance.namespace(), instance.name());
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
                    .resticRepository(s3.endpoint(), instance.namespace(), instance.name());
        }
        return new ResticRepository(run.restic(), url, config.s3Region(), instance.toString(), credentials, run.timeout(), network);
    }

    public Duration timeout() {
        return run.timeout();
    }
}
