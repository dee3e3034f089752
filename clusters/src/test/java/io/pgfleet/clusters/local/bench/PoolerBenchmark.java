package io.pgfleet.clusters.local.bench;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.PoolerEndpoint;
import io.pgfleet.clusters.local.LocalClusterDriver;
import io.pgfleet.clusters.local.LocalSettings;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.postgres.Pooler;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.FileTrees;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.runtime.job.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pgbench -C} (a new connection for every transaction, select-only) against one local instance, straight to its
 * primary and through its transaction pool, in alternating rounds of the same run, with TLS required and without:
 * transactions per second of each and their ratio. Figures go to docs/benchmarks.md; nothing is asserted.
 *
 * <p>{@code bench/pooler.sh [rounds] [seconds] [clients]}
 */
public final class PoolerBenchmark {

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");
    private static final String PASSWORD = "bench-password-4c1e";

    private PoolerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path root = Files.createTempDirectory("pgfleet-pooler-bench-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        PgBinaries binaries = PgBinaries.find(Optional.empty());
        LocalClusterDriver driver = new LocalClusterDriver(new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), binaries,
                Duration.ofSeconds(60)));
        InstanceKey key = new InstanceKey("bench", "pooled");
        ClusterSpec spec = new ClusterSpec(false, "1Gi", 1, "local", Map.of("max_connections", "100"), 0, 0, false,
                new Pooler(true, Pooler.TRANSACTION, 1000, 20, false));
        try {
            settle(driver, key, spec);
            Endpoint primary = driver.primary(key).orElseThrow();
            try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), primary.user(), primary.password());
                 Statement sql = c.createStatement()) {
                sql.execute("CREATE ROLE bench LOGIN PASSWORD '" + PASSWORD + "'");
                sql.execute("CREATE DATABASE bench OWNER bench");
            }
            settle(driver, key, spec);   // the lookup in the new database
            CommandResult init = pgbench(binaries, primary.port(), "disable", List.of("-i", "-s", "1", "-q"), root);
            if (!init.ok()) {
                throw new IllegalStateException("pgbench -i failed: " + init.tail(5));
            }
            int pooler = driver.observe(key).poolers().stream().filter(p -> p.pool().equals("rw")).mapToInt(PoolerEndpoint::port).findFirst()
                    .orElseThrow();
            System.out.printf("pgbench -C -S, %d clients, %d s per run, %d rounds; PostgreSQL %d, PgBouncer %d (transaction pool of 20)%n",
                    clients, seconds, rounds, primary.port(), pooler);
            System.out.println("round  sslmode   direct tps   pooler tps   pooler/direct");
            for (String sslmode : List.of("require", "disable")) {
                List<Double> ratios = new ArrayList<>();
                List<Double> direct = new ArrayList<>();
                List<Double> pooled = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    List<String> run = List.of("-C", "-S", "-n", "-T", Integer.toString(seconds), "-c", Integer.toString(clients), "-j", "2");
                    double d = tps(pgbench(binaries, primary.port(), sslmode, run, root));
                    double p = tps(pgbench(binaries, pooler, sslmode, run, root));
                    direct.add(d);
                    pooled.add(p);
                    ratios.add(p / d);
                    System.out.printf("%5d  %-8s %11.0f  %11.0f  %13.2fx%n", round, sslmode, d, p, p / d);
                }
                System.out.printf("median %-8s %11.0f  %11.0f  %13.2fx (ratios %.2f-%.2f)%n", sslmode, median(direct), median(pooled),
                        median(ratios), ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                        ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            }
        } finally {
            driver.delete(key);
            FileTrees.delete(root);
        }
    }

    private static void settle(LocalClusterDriver driver, InstanceKey key, ClusterSpec spec) {
        for (int i = 0; i < 200; i++) {
            Step step = driver.apply(key, spec);
            if (step.outcome() == Step.Outcome.DONE) {
                return;
            }
            if (step.outcome() == Step.Outcome.FAILED) {
                throw new IllegalStateException(step.message());
            }
        }
        throw new IllegalStateException("the instance did not settle");
    }

    private static CommandResult pgbench(PgBinaries binaries, int port, String sslmode, List<String> options, Path work) {
        List<String> argv = new ArrayList<>(List.of(binaries.tool("pgbench"), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "bench"));
        argv.addAll(options);
        argv.add("bench");
        return ProcessRunner.run(argv, Map.of("PGPASSWORD", PASSWORD, "PGSSLMODE", sslmode), work, Duration.ofMinutes(10));
    }

    private static double tps(CommandResult run) {
        Matcher tps = TPS.matcher(run.output());
        if (!run.ok() || !tps.find()) {
            throw new IllegalStateException("pgbench failed: " + run.tail(5));
        }
        return Double.parseDouble(tps.group(1));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2) : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }
}
