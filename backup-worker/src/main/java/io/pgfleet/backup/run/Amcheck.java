package io.pgfleet.backup.run;

import io.pgfleet.backup.restic.Pipeline;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.backup.storage.BackupSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/**
 * {@code pg_amcheck} over every database of a server: each table's heap and each B-tree index checked for corruption, as
 * many connections at a time as a backup runs programs ({@code pgfleet.backup.parallel}).
 */
@Singleton
class Amcheck {

    private final PgTools tools;
    private final int jobs;
    private final Duration timeout;

    @Inject
    Amcheck(PgTools tools, BackupSettings settings) {
        this(tools, settings.run().parallel(), settings.timeout());
    }

    Amcheck(PgTools tools, int jobs, Duration timeout) {
        this.tools = tools;
        this.jobs = jobs;
        this.timeout = timeout;
    }

    /** Nothing when it found nothing; else what it said, line by line (a corrupt block, an index that fails its check, or why it could not run). */
    List<String> findings(Endpoint server) {
        Pipeline.Result result = Pipeline.run(List.of(tools.amcheck(server, jobs)), null, timeout);
        if (result.ok() && result.output().isBlank()) {
            return List.of();
        }
        String said = (result.output() + "\n" + result.errors().get(0)).strip();
        return said.isEmpty() ? List.of("pg_amcheck ended with " + result.exitCodes().get(0) + " and said nothing") : said.lines().toList();
    }
}
