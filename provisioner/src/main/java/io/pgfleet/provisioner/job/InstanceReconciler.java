package io.pgfleet.provisioner.job;

import io.pgfleet.runtime.job.JobHandler;
import io.pgfleet.runtime.job.JobRow;
import io.micronaut.context.annotation.Value;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.provisioner.instance.Specs;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Takes one step of a job with the driver and records what the driver says should come next.
 * Unexpected errors are retried a few times, then become the job's failure: status, not a stack trace.
 * Config: {@code pgfleet.provisioner.job-timeout} (default 15m): a job still waiting then fails.
 */
@Singleton
public class InstanceReconciler implements JobHandler {

    private final ClusterDriver driver;
    private final JobResults results;
    private final Clock clock;
    private final Duration timeout;

    public InstanceReconciler(ClusterDriver driver, JobResults results, Clock clock,
                              @Value("${pgfleet.provisioner.job-timeout:15m}") Duration timeout) {
        this.driver = driver;
        this.results = results;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** One step of the job. */
    @Override
    public void step(JobRow job) {
        InstanceKey key = InstanceKey.of(job.instance());
        if (job.createdAt().plus(timeout).isBefore(Instant.now(clock))) {
            results.record(job, Step.failed("not done after " + timeout.toMinutes() + " minutes; last step: " + job.step()));
            return;
        }
        results.record(job, job.kind() == io.pgfleet.runtime.job.JobKind.DELETE ? driver.delete(key) : driver.apply(key, Specs.read(job.spec())));
    }

    @Override
    public void fail(JobRow job, String reason) {
        results.record(job, Step.failed(reason));
    }
}
