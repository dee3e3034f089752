package io.pgfleet.usermanager.access;

import io.micronaut.context.annotation.Value;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.clusters.InstanceWait;
import io.pgfleet.runtime.credentials.ScramVerifier;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.runtime.job.JobHandler;
import io.pgfleet.runtime.job.JobKind;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.credentials.CredentialStore;
import io.pgfleet.runtime.credentials.CredentialStores;
import io.pgfleet.usermanager.plan.AccessPlanner;
import io.pgfleet.usermanager.plan.Catalog;
import io.pgfleet.usermanager.sql.CatalogReader;
import io.pgfleet.usermanager.plan.DesiredAccess;
import io.pgfleet.usermanager.sql.InstanceConnections;
import io.pgfleet.usermanager.sql.PlanExecutor;
import io.pgfleet.usermanager.plan.SqlAction;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;

/**
 * Applies an instance's desired access once the instance answers: reads its catalog, works out the
 * statements that differ, runs them. While the instance does not exist or does not accept
 * connections the job waits (without holding a worker), up to {@code pgfleet.user-manager.ready-timeout}
 * (default 10m). {@code pgfleet.user-manager.drop-removed-databases} (default false): whether a database the document
 * no longer has is dropped; kept, it is reported ({@code unmanagedDatabases}).
 */
@Singleton
public class AccessReconciler implements JobHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AccessReconciler.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The credential store kind of users' passwords: Secret {@code <name>-credentials}, file {@code <name>-credentials.json}. */
    public static final String PASSWORDS = CredentialStores.USERS;

    private final InstanceAccess driver;
    private final InstanceConnections connections;
    private final CredentialStore credentials;
    private final AccessRepository access;
    private final Clock clock;
    private final Duration readyTimeout;
    private final boolean dropRemovedDatabases;

    public AccessReconciler(InstanceAccess driver, InstanceConnections connections, CredentialStores credentials, AccessRepository access, Clock clock,
                            @Value("${pgfleet.user-manager.ready-timeout:10m}") Duration readyTimeout,
                            @Value("${pgfleet.user-manager.drop-removed-databases:false}") boolean dropRemovedDatabases) {
        this.dropRemovedDatabases = dropRemovedDatabases;
        this.driver = driver;
        this.connections = connections;
        this.credentials = credentials.kind(PASSWORDS);
        this.access = access;
        this.clock = clock;
        this.readyTimeout = readyTimeout;
    }

    @Override
    public Step step(JobRow job) {
        return apply(InstanceKey.of(job.instance()), job);
    }

    @Override
    public String reason(JobKind kind, Step.Outcome outcome) {
        return outcome == Step.Outcome.DONE ? "AccessApplied" : "AccessFailed";
    }

    /** The users the document names are now the ones this instance's access is managed for. */
    @Override
    public void recorded(JobRow job, Step step) {
        if (step.outcome() == Step.Outcome.DONE) {
            access.saveManaged(job.instance(), AccessJson.write(AccessJson.desired(job.spec()).users().keySet()));
        }
    }

    private Step apply(InstanceKey key, JobRow job) {
        InstanceWait wait = new InstanceWait(readyTimeout);
        boolean late = wait.late(job.createdAt(), Instant.now(clock));
        var endpoint = driver.primary(key);
        Optional<Step> absent = wait.untilItExists(key, endpoint, job.createdAt(), Instant.now(clock));
        if (absent.isPresent()) {
            return absent.get();
        }
        DesiredAccess desired = AccessJson.desired(job.spec());
        long start = System.nanoTime();
        Catalog catalog;
        try {
            catalog = CatalogReader.read(connections, endpoint.get(), desired.databases().keySet());
        } catch (SQLException e) {
            if (!notReady(e)) {
                return Step.failed("could not read the catalog of " + key + ": " + e.getMessage());
            }
            return late ? Step.failed("instance " + key + " did not accept connections within " + InstanceWait.text(readyTimeout) + ": "
                    + e.getMessage()) : Step.poll("waiting for instance " + key + " to accept connections", InstanceWait.LONGEST);
        }
        long read = System.nanoTime();
        Map<String, String> verifiers = verifiers(key, desired, catalog);
        long verified = System.nanoTime();
        Set<String> managed = access.findById(job.instance()).map(row -> AccessJson.users(row.managedUsers())).orElse(Set.of());
        List<SqlAction> plan = new ArrayList<>(AccessPlanner.plan(desired, managed, catalog, verifiers));
        List<String> unmanaged = AccessPlanner.removedDatabases(desired, catalog);
        if (dropRemovedDatabases) {
            plan.addAll(AccessPlanner.dropDatabases(unmanaged));
        }
        try {
            PlanExecutor.run(connections, endpoint.get(), plan);
        } catch (PlanExecutor.PlanFailedException e) {
            // A connection that broke under the plan (a switchover, a failover, a restart of the primary) is no refusal: the
            // next step reads the catalogue again and plans what is still missing, until the instance's wait is over.
            if (!notReady(e.sqlState()) || late) {
                return Step.failed(e.getMessage());
            }
            return Step.poll("the connection to " + key + " broke (" + e.getMessage() + "); trying again", InstanceWait.LONGEST);
        }
        LOG.info("{} statement(s) applied in {} ms: the catalog read in {} ms, {} password verifier(s) made in {} ms, the statements run in {} ms",
                plan.size(), (System.nanoTime() - start) / 1_000_000, (read - start) / 1_000_000, verifiers.size(),
                (verified - read) / 1_000_000, (System.nanoTime() - verified) / 1_000_000);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("statements", plan.size());
        details.put("users", desired.users().size());
        details.put("databases", desired.databases().size());
        if (!unmanaged.isEmpty()) {
            details.put(dropRemovedDatabases ? "droppedDatabases" : "unmanagedDatabases", unmanaged);
        }
        return Step.done(plan.isEmpty() ? "already up to date" : plan.size() + " statements applied", details);
    }

    /** "90s", "10m": how people write the setting. */
    /** Connection failures and a server still starting mean "not ready yet"; anything else is a real error. */
    private static boolean notReady(SQLException e) {
        return notReady(e.getSQLState());
    }

    /**
     * No SQLSTATE (the connection broke), a connection exception (08), the server shutting down, crashed or starting
     * (57P01, 57P02, 57P03), a read-only transaction on a primary just demoted (25006), or a system error outside
     * PostgreSQL (58: a file of the server missing or unreadable, as on a primary whose disk is lost until it is replaced).
     */
    private static boolean notReady(String state) {
        return state == null || state.startsWith("08") || state.startsWith("58") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03") || state.equals("25006");
    }

    /** Verifiers for users that are new or whose password is not the stored one; missing passwords are generated and stored. */
    private Map<String, String> verifiers(InstanceKey key, DesiredAccess desired, Catalog catalog) {
        Map<String, String> passwords = new HashMap<>(credentials.read(key));
        Map<String, String> generated = new HashMap<>();
        for (String user : desired.users().keySet()) {
            if (!passwords.containsKey(user)) {
                byte[] bytes = new byte[18];
                RANDOM.nextBytes(bytes);
                generated.put(user, HexFormat.of().formatHex(bytes));
            }
        }
        if (!generated.isEmpty()) {
            credentials.write(key, generated);
            passwords.putAll(generated);
        }
        // A verifier of a password from the document is 4096 rounds of HMAC-SHA-256 (about 9 ms here): on every core at
        // once. One just generated is 144 random bits, which no count of rounds protects further: it gets few.
        Map<String, String> verifiers = new ConcurrentHashMap<>();
        desired.users().keySet().parallelStream().forEach(user -> {
            Catalog.RoleState role = catalog.roles().get(user);
            if (role == null || !ScramVerifier.matches(passwords.get(user), role.verifier())) {
                verifiers.put(user, generated.containsKey(user) ? ScramVerifier.ofRandomSecret(passwords.get(user))
                        : ScramVerifier.of(passwords.get(user)));
            }
        });
        return verifiers;
    }
}
