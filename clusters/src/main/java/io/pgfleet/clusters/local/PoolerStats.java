package io.pgfleet.clusters.local;

import io.pgfleet.clusters.PoolerEndpoint;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each pool is doing, read from PgBouncer's console ({@code SHOW POOLS}) with psql as the console's stats user
 * ({@link PoolerConfig#STATS_USER}: a random password of the service's, given in psql's environment; PgBouncer holds only
 * its SCRAM verifier). pgJDBC cannot read the console (it sends {@code SET extra_float_digits} to a server it takes for an
 * old one, which the console refuses). A figure is read again once it is {@link #FRESH} old, so the health monitor's
 * look every few seconds costs a psql run per pool every ten seconds at most.
 */
final class PoolerStats {

    static final Duration FRESH = Duration.ofSeconds(10);

    private record Read(PoolerEndpoint.Use use, long at) {
    }

    private final LocalSettings settings;
    private final Map<String, Read> last = new ConcurrentHashMap<>();

    PoolerStats(LocalSettings settings) {
        this.settings = settings;
    }

    /** The pool's use (read now, or less than {@link #FRESH} ago); empty when it does not answer. */
    Optional<PoolerEndpoint.Use> of(LocalPooler pool, int port) {
        String key = pool.dir() + ":" + port;
        Read read = last.get(key);
        if (read != null && System.nanoTime() - read.at() < FRESH.toNanos()) {
            return Optional.of(read.use());
        }
        CommandResult shown = ProcessRunner.run(List.of(settings.binaries().tool("psql"), "-XqA", "-F", "|", "-P", "footer=off", "-c", "SHOW POOLS",
                        "host=127.0.0.1 port=" + port + " dbname=pgbouncer user=" + PoolerConfig.STATS_USER + " connect_timeout=2"),
                Map.of("PGPASSWORD", pool.statsPassword(), "PGSSLMODE", "prefer"), Path.of("/"), Duration.ofSeconds(5));
        Optional<PoolerEndpoint.Use> use = shown.ok() ? parse(shown.output()) : Optional.empty();
        use.ifPresentOrElse(u -> last.put(key, new Read(u, System.nanoTime())), () -> last.remove(key));
        return use;
    }

    /** {@code SHOW POOLS} as psql printed it (a header line, then rows, '|' between fields), summed over the pools. */
    static Optional<PoolerEndpoint.Use> parse(String output) {
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        List<String> header = Arrays.asList(lines.get(0).split("\\|", -1));
        int database = header.indexOf("database");
        int[] columns = {header.indexOf("cl_active"), header.indexOf("cl_waiting"), header.indexOf("sv_active"), header.indexOf("sv_idle"),
                header.indexOf("maxwait"), header.indexOf("maxwait_us")};
        if (database < 0 || Arrays.stream(columns).anyMatch(c -> c < 0)) {
            return Optional.empty();
        }
        long[] sums = new long[4];
        double maxWait = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split("\\|", -1);
            if (fields.length != header.size() || fields[database].equals("pgbouncer")) {
                continue;   // not a row of a pool; or the console's own
            }
            for (int i = 0; i < 4; i++) {
                sums[i] += Long.parseLong(fields[columns[i]]);
            }
            maxWait = Math.max(maxWait, Long.parseLong(fields[columns[4]]) + Long.parseLong(fields[columns[5]]) / 1e6);
        }
        return Optional.of(new PoolerEndpoint.Use(sums[0], sums[1], sums[2], sums[3], maxWait));
    }
}
