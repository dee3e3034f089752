package io.pgfleet.runtime.job;

import io.micronaut.context.annotation.Context;
import io.pgfleet.runtime.db.StateNotifications;
import io.pgfleet.runtime.db.Wakeup;
import jakarta.inject.Inject;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;

/**
 * Worker threads that take due jobs one step at a time, for every service alike: each step runs with the
 * instance and the command id in the logging context ({@code instance}, {@code commandId}), and what it says is
 * recorded by the {@link JobRecorder}. A step is bounded, so a slow or broken instance occupies a worker for one
 * step at most, and instances take turns. A step that throws is tried again 2s later; after
 * {@code pgfleet.jobs.max-errors} such steps the job ends as failed, so every command gets its final event.
 * {@code pgfleet.jobs.workers} (default 4): the jobs a process runs at once.
 * {@code pgfleet.jobs.lease} (default 60s): how long a job taken by a process that stopped answering stays its own.
 * {@code pgfleet.jobs.max-errors} (default 3): steps that may throw before the job fails.
 * {@code pgfleet.jobs.poll} (default 10s): the safety net's pace; a worker with nothing to do sleeps until the next job is
 * due or the state database announces one (see {@link StateNotifications}).
 * {@code pgfleet.jobs.instance-id} (default: the host name): this process's name in the jobs it takes. Each process takes jobs under an owner id of its
 * own ({@code <instance-id>/<random>}), so leases are fenced between processes; at start it frees the leases of
 * its earlier runs under the same instance id, so a restarted process takes back its jobs at once.
 */
@Context
@Requires(beans = JobHandler.class)
public class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private static final Duration MIN_WAIT = Duration.ofMillis(20);

    private final JobQueue queue;
    private final JobHandler handler;
    private final int workers;
    private final Duration lease;
    private final JobRepository jobs;
    private final JobLedger ledger;
    private final JobRecorder recorder;
    private final String instanceId;
    private final String owner;
    private final int maxErrors;
    private final Wakeup wakeup;
    private final Duration poll;
    private final List<Thread> threads = new ArrayList<>();
    private final Set<Long> inProgress = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    @Inject
    public JobRunner(JobQueue queue, JobHandler handler, JobRepository jobs, JobLedger ledger, JobRecorder recorder, JobSettings settings,
                     StateNotifications notifications) {
        this(queue, handler, jobs, ledger, recorder, settings, notifications.jobs());
    }

    JobRunner(JobQueue queue, JobHandler handler, JobRepository jobs, JobLedger ledger, JobRecorder recorder, JobSettings settings,
              Wakeup wakeup) {
        this.wakeup = wakeup;
        this.poll = settings.poll();
        this.maxErrors = settings.maxErrors();
        this.queue = queue;
        this.jobs = jobs;
        this.ledger = ledger;
        this.recorder = recorder;
        this.instanceId = settings.instanceId();
        this.owner = this.instanceId + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.handler = handler;
        this.workers = settings.workers();
        this.lease = settings.lease();
    }

    @PostConstruct
    void start() {
        // Leases this process held before it stopped are free again: none of that work runs now.
        jobs.releaseEarlierLeases(instanceId + "/", owner);
        for (int i = 0; i < workers; i++) {
            Thread thread = new Thread(this::work, "job-worker-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Keeps the leases of long steps (a large base backup) from running out. */
    @Scheduled(fixedDelay = "10s")
    void renewLeases() {
        for (Long id : inProgress) {
            jobs.renewLease(id, owner, lease.toMillis());
        }
    }

    /** A step threw: tried again shortly, or, after too many, the job fails. */
    private void unexpected(JobRow job, Throwable e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (job.errors() + 1 >= maxErrors) {
            LOG.warn("job {} ({} of {}): step failed {} times, giving up: {}", job.id(), job.commandType(), job.instance(), job.errors() + 1,
                    reason, e);
            recorder.record(job, Step.failed(reason), handler);
        } else {
            LOG.warn("job {} ({} of {}): step failed, trying again in 2s: {}", job.id(), job.commandType(), job.instance(), reason, e);
            ledger.erred(job, "retrying after: " + reason);
        }
    }

    /** One step of a job; what it throws is tried again or ends the job, and a lost lease records nothing. */
    private void take(JobRow job) {
        try {
            recorder.record(job, handler.step(job), handler);
        } catch (LeaseLostException e) {
            LOG.warn("{}; what its step did is not recorded", e.getMessage());
        } catch (RuntimeException | Error e) {
            // An Error too (a step that overflowed its stack, a class that failed to load): the worker lives on and the
            // job is tried again or fails, where an uncaught one would end the worker and leave the job silent.
            try {
                unexpected(job, e);
            } catch (LeaseLostException lost) {
                LOG.warn("{}; its error is not recorded", lost.getMessage());
            }
        }
    }

    /** Sleeps until the next job is due, at most the safety net's pace, and briefly when one is due but taken meanwhile. */
    private Duration untilDue() {
        Duration due = queue.nextDue().orElse(poll);
        return due.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : due.compareTo(poll) > 0 ? poll : due;
    }

    private void work() {
        while (running) {
            try {
                long seen = wakeup.generation();
                var job = queue.claim(owner, lease);
                if (job.isPresent()) {
                    inProgress.add(job.get().id());
                    // Every log line of the step names the instance and the command (or the kind of work nobody asked for).
                    try (MDC.MDCCloseable instance = MDC.putCloseable("instance", job.get().instance());
                         MDC.MDCCloseable command = MDC.putCloseable("commandId",
                                 job.get().commandId() != null ? job.get().commandId() : job.get().commandType())) {
                        take(job.get());
                    } finally {
                        inProgress.remove(job.get().id());
                    }
                } else {
                    wakeup.await(seen, untilDue());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("worker error, retrying: {}", e.toString());
                LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
            }
        }
    }
}
