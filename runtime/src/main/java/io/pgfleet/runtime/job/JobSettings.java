package io.pgfleet.runtime.job;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;

/**
 * How a process runs jobs; the keys are described with {@link JobRunner}.
 *
 * @param workers    the jobs run at once
 * @param lease      how long a taken job stays this process's without a renewal
 * @param instanceId this process's name in the jobs it takes (the host name when not set)
 * @param maxErrors  the steps that may throw before the job fails (at least 1)
 * @param poll       the longest a worker with nothing to do sleeps
 */
public record JobSettings(int workers, Duration lease, String instanceId, int maxErrors, Duration poll) {

    public JobSettings {
        maxErrors = Math.max(1, maxErrors);
        instanceId = instanceId == null || instanceId.isBlank() ? hostName() : instanceId;
    }

    /** The settings from the configuration. */
    @Factory
    static class FromConfiguration {

        @Singleton
        JobSettings jobSettings(@Value("${pgfleet.jobs.workers:4}") int workers, @Value("${pgfleet.jobs.lease:60s}") Duration lease,
                                @Value("${pgfleet.jobs.instance-id:}") String instanceId, @Value("${pgfleet.jobs.max-errors:3}") int maxErrors,
                                @Value("${pgfleet.jobs.poll:10s}") Duration poll) {
            return new JobSettings(workers, lease, instanceId, maxErrors, poll);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return UUID.randomUUID().toString();   // unique, so no other process frees its leases
        }
    }
}
