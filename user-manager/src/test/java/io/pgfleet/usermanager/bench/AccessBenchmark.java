package io.pgfleet.usermanager.bench;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.postgres.Database;
import io.pgfleet.events.postgres.DatabaseRoles;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.postgres.User;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.runtime.credentials.ScramVerifier;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.testkit.ServiceFixture;
import io.pgfleet.usermanager.plan.AccessPlanner;
import io.pgfleet.usermanager.sql.CatalogReader;
import io.pgfleet.usermanager.plan.DesiredAccess;
import io.pgfleet.usermanager.sql.InstanceConnections;
import io.pgfleet.usermanager.plan.SqlAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.pgfleet.testkit.Medians;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies a document with 200 users and 50 databases through the user-manager (publish → SUCCEEDED),
 * and the same statements as a plain SQL script through psql on a second, identical instance, in the
 * same run; then re-applies the document unchanged. Rounds on fresh instances, alternating which goes first; prints the
 * medians with their ranges and both ratios (goals: first apply at most 0.5× the script; unchanged re-apply at most 3% of
 * the first apply). Run with {@code bench/user-manager.sh}.
 */
public final class AccessBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private AccessBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int databases = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (ServiceFixture fixture = new ServiceFixture("user-manager")) {
            // -Dpgfleet.bench.tls=false: members without TLS (the user-manager then connects in clear), to measure what TLS costs.
            fixture.start(Map.of("pgfleet.local.tls", System.getProperty("pgfleet.bench.tls", "true")));
            List<Long> scripts = new ArrayList<>();
            List<Long> firsts = new ArrayList<>();
            List<Long> agains = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                // Fresh instances each round; which way goes first alternates.
                InstanceKey viaPgfleet = fixture.track(new InstanceKey("bench", "access-pgfleet-" + round));
                InstanceKey viaScript = fixture.track(new InstanceKey("bench", "access-script-" + round));
                ClusterSpec one = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0);
                for (InstanceKey key : List.of(viaPgfleet, viaScript)) {
                    long deadline = System.nanoTime() + TIMEOUT.toNanos();
                    while (fixture.driver().apply(key, one).outcome() != Step.Outcome.DONE) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(key + " did not become ready");
                        }
                    }
                }
                Postgres doc = document(viaPgfleet.name(), users, databases);
                long script;
                long first;
                if (round % 2 == 1) {
                    script = script(fixture.driver().primary(viaScript).orElseThrow(), doc);
                    first = apply(fixture, viaPgfleet, doc, -1);
                } else {
                    first = apply(fixture, viaPgfleet, doc, -1);
                    script = script(fixture.driver().primary(viaScript).orElseThrow(), doc);
                }
                long again = apply(fixture, viaPgfleet, doc, 0);
                System.out.printf("round %d: psql script %d ms, user-manager first apply %d ms, unchanged %d ms%n", round, script, first, again);
                scripts.add(script);
                firsts.add(first);
                agains.add(again);
            }
            long script = Medians.of(scripts);
            long first = Medians.of(firsts);
            long again = Medians.of(agains);
            System.out.println();
            System.out.printf("%d users, %d databases, medians of %d rounds (ms, range)%n", users, databases, rounds);
            System.out.printf("psql script            %s%n", Medians.withRange(scripts));
            System.out.printf("user-manager, first    %s   %.2fx the script (goal <= 0.5x)%n", Medians.withRange(firsts), (double) first / script);
            System.out.printf("user-manager, unchanged%s   %.1f%% of the first apply (goal <= 3%%)%n", Medians.withRange(agains), 100.0 * again / first);
        }
        System.exit(0);
    }

    /** Publish → SUCCEEDED; {@code expectedStatements} -1 for any. */
    private static long apply(ServiceFixture fixture, InstanceKey key, Postgres doc, int expectedStatements) {
        long start = System.nanoTime();
        String id = fixture.publisher.publish(CommandType.PROVISION, key, doc);
        StatusEvent done = fixture.feed.awaitFinal(id, "user-manager", TIMEOUT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (done.phase() != Phase.SUCCEEDED) {
            throw new IllegalStateException("ended " + done.phase() + ": " + done.message());
        }
        if (expectedStatements >= 0 && ((Number) done.details().get("statements")).intValue() != expectedStatements) {
            throw new IllegalStateException("expected " + expectedStatements + " statements, ran " + done.details().get("statements"));
        }
        return millis;
    }

    /** The same statements a fresh instance needs, as a psql script (verifiers instead of passwords, as pgfleet sends). */
    private static long script(Endpoint endpoint, Postgres doc) throws Exception {
        DesiredAccess desired = DesiredAccess.of(doc.spec());
        Map<String, String> verifiers = new HashMap<>();
        doc.spec().users().forEach((name, user) -> verifiers.put(name, ScramVerifier.of(user.password())));
        List<SqlAction> plan = AccessPlanner.plan(desired, Set.of(), CatalogReader.read(InstanceConnections.unpooled(), endpoint, List.of()), verifiers);
        StringBuilder text = new StringBuilder("\\set ON_ERROR_STOP on\n");
        String database = null;
        for (SqlAction action : plan) {
            if (!action.database().equals(database)) {
                database = action.database();
                text.append("\\connect ").append(database).append('\n');
            }
            text.append(action.sql()).append(";\n");
        }
        Path file = Files.createTempFile("pgfleet-bench-", ".sql");
        Files.writeString(file, text);
        try {
            long start = System.nanoTime();
            ProcessRunner.check(List.of(PgBinaries.find(Optional.empty()).tool("psql"), "-q", "-h", endpoint.host(), "-p",
                            Integer.toString(endpoint.port()), "-U", endpoint.user(), "-d", "postgres", "-f", file.toString()),
                    Map.of("PGPASSWORD", endpoint.password()), null, TIMEOUT);
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Postgres document(String name, int users, int databases) {
        Map<String, User> userMap = new LinkedHashMap<>();
        for (int u = 0; u < users; u++) {
            userMap.put(String.format("user_%03d", u), new User("password-" + u, u % 10 == 0, null));
        }
        List<String> names = new ArrayList<>(userMap.keySet());
        Map<String, Database> databaseMap = new LinkedHashMap<>();
        for (int d = 0; d < databases; d++) {
            List<String> admins = List.of(names.get((4 * d) % users), names.get((4 * d + 1) % users));
            List<String> readers = List.of(names.get((4 * d + 2) % users), names.get((4 * d + 3) % users));
            databaseMap.put(String.format("db_%02d", d), new Database(new DatabaseRoles(admins, readers, null, null),
                    d % 5 == 0 ? List.of("hstore") : null));
        }
        return Postgres.of(name, "bench", new PostgresSpec(null, null, 1, "local", null, null, userMap, databaseMap, null, null));
    }
}
