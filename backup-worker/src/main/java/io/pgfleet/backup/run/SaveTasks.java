package io.pgfleet.backup.run;

import io.pgfleet.backup.plan.Manifest;
import java.util.Map;
import java.util.concurrent.Callable;
import java.sql.SQLException;
import io.pgfleet.backup.restic.ResticException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The saves of a backup as tasks of its pool: each keeps the job's logging context, and a failure comes out as it was thrown. */
final class SaveTasks {

    private static final Logger LOG = LoggerFactory.getLogger(BackupRun.class);

    private SaveTasks() {
    }

    static Callable<Map.Entry<String, Manifest.File>> task(Map<String, String> context, String name, Callable<Manifest.File> save) {
        return () -> {
            if (context != null) {
                MDC.setContextMap(context);
            }
            long start = System.nanoTime();
            Manifest.File file;
            try {
                file = save.call();
            } catch (RuntimeException e) {
                LOG.warn("{} failed after {} ms: {}", name, (System.nanoTime() - start) / 1_000_000, e.getMessage());
                throw e;
            } catch (SQLException e) {
                // counting the tables' rows, or keeping the snapshot the dump reads
                LOG.warn("{} failed after {} ms: {}", name, (System.nanoTime() - start) / 1_000_000, e.getMessage());
                throw new ResticException(name + ": the database could not be read: " + e.getMessage(), false);
            }
            LOG.info("{} {}: {} bytes in {} ms", file.snapshot() == null ? "dumped" : "saved as snapshot " + file.snapshot(), name,
                    file.bytes(), (System.nanoTime() - start) / 1_000_000);
            return Map.entry(name, file);
        };
    }

    /** A finished save's result, or its failure thrown as it was. */
    static Map.Entry<String, Manifest.File> result(Future<Map.Entry<String, Manifest.File>> done) throws InterruptedException {
        try {
            return done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
