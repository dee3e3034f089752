package io.pgfleet.backup.storage;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How backups and restores run on this worker; the keys are described with {@link BackupSettings}.
 *
 * @param restic        the restic program
 * @param timeout       the longest a single dump, save or restore may take
 * @param workDir       where small databases and the roles are dumped before they are saved together
 * @param smallDatabase the largest database dumped to the work directory and saved with the roles
 * @param smallTotal    the most the databases saved with the roles may add up to, and the most a restore copies there
 * @param parallel      how many dump and save programs a backup runs at a time (at least 1)
 * @param readyTimeout  how long a restore or a base backup waits for its instance to exist and answer
 */
public record RunSettings(String restic, Duration timeout, Path workDir, long smallDatabase, long smallTotal, int parallel,
                          Duration readyTimeout) {

    public RunSettings {
        parallel = Math.max(1, parallel);
    }

    /** The settings from the configuration. */
    @Factory
    static class FromConfiguration {

        @Singleton
        RunSettings runSettings(@Value("${pgfleet.backup.restic:restic}") String restic, @Value("${pgfleet.backup.timeout:6h}") Duration timeout,
                                @Value("${pgfleet.backup.work-dir:}") String workDir,
                                @Value("${pgfleet.backup.small-database:64MB}") @ReadableBytes long smallDatabase,
                                @Value("${pgfleet.backup.small-databases-total:1GB}") @ReadableBytes long smallTotal,
                                @Value("${pgfleet.backup.parallel:2}") int parallel,
                                @Value("${pgfleet.backup.ready-timeout:10m}") Duration readyTimeout) {
            return new RunSettings(restic, timeout, workDir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "pgfleet-backup")
                    : Path.of(workDir), smallDatabase, smallTotal, parallel, readyTimeout);
        }
    }
}
