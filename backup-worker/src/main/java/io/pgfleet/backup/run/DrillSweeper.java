package io.pgfleet.backup.run;

import io.micronaut.scheduling.annotation.Scheduled;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.InstanceAccess;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.JobStatus;
import jakarta.inject.Singleton;
import io.pgfleet.events.InstanceKey;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a restore drill's scratch server that no drill will come back to: its job ended (a drill removes its server as
 * it ends; one killed in between left it) or is not known at all. A drill whose job is still pending or running keeps its
 * server: its next step removes it and starts again.
 * {@code pgfleet.backup.drill-sweep} (default 1m): how often scratch servers that no drill will come back to are looked for
 * and removed (and once at start).
 */
@Singleton
public class DrillSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(DrillSweeper.class);
    private static final String PREFIX = "verify-";

    private final InstanceAccess driver;
    private final JobRepository jobs;
    private final BackupConfigRepository configs;

    DrillSweeper(InstanceAccess driver, JobRepository jobs, BackupConfigRepository configs) {
        this.driver = driver;
        this.jobs = jobs;
        this.configs = configs;
    }

    @Scheduled(fixedDelay = "${pgfleet.backup.drill-sweep:1m}", initialDelay = "1s")
    public void sweep() {
        Optional<DrillServers> servers = driver.drills();
        if (servers.isEmpty()) {
            return;
        }
        // Drills are only ever made for instances with a backup configuration: where those are is where to look.
        List<InstanceKey> instances = StreamSupport.stream(configs.findAll().spliterator(), false)
                .map(config -> InstanceKey.of(config.instance())).toList();
        for (DrillServers.Found found : servers.get().existing(instances)) {
            if (!awaited(found.id())) {
                LOG.warn("removing the scratch server of restore drill {}, which no drill will come back to", found.id());
                servers.get().remove(found.instance(), found.id());
            }
        }
    }

    /** Whether a drill's job will still take a step: pending or running. */
    private boolean awaited(String id) {
        if (!id.startsWith(PREFIX) || !id.substring(PREFIX.length()).matches("[0-9]{1,18}")) {
            return false;
        }
        return jobs.findById(Long.parseLong(id.substring(PREFIX.length()))).map(JobRow::status)
                .filter(status -> status.equals(JobStatus.PENDING.name()) || status.equals(JobStatus.RUNNING.name())).isPresent();
    }
}
