package io.pgfleet.runtime.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.runtime.db.Wakeup;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The runner's rule for steps that throw: tried again, then the job is recorded as failed. */
class JobRunnerTest {

    /** One job, handed out while it is open; {@code erred} counts on it as the database would. */
    private static final class OneJob extends JobQueue {

        final AtomicReference<JobRow> job = new AtomicReference<>(new JobRow(1L, "tenant/db", "c-1", "backup", "{}", "RUNNING", "", 0,
                Instant.now(), "test", null, Instant.now(), Instant.now(), Instant.now()));
        final List<String> erred = new CopyOnWriteArrayList<>();
        volatile boolean open = true;

        OneJob() {
            super(null);
        }

        @Override
        public Optional<JobRow> claim(String owner, Duration lease) {
            return open ? Optional.of(job.get()) : Optional.empty();
        }

        @Override
        public Optional<Duration> nextDue() {
            return Optional.empty();
        }

        JobRepository repository() {
            return (JobRepository) Proxy.newProxyInstance(JobRepository.class.getClassLoader(), new Class<?>[] {JobRepository.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("erred")) {
                            erred.add((String) args[2]);
                            JobRow row = job.get();
                            job.set(new JobRow(1L, row.instance(), row.commandId(), row.commandType(), row.spec(), row.status(),
                                    (String) args[2], row.errors() + 1, row.notBefore(), null, null, row.createdAt(), Instant.now(), row.stepSince()));
                        }
                        return method.getReturnType() == int.class ? 1 : null;
                    });
        }
    }

    @Test
    void aStepThatKeepsThrowingIsTriedAgainThenTheHandlerFailsTheJob() {
        List<String> failed = runUntilFailed(() -> new IllegalStateException("the credential file is not a JSON object of strings"),
                "the credential file is not a JSON object of strings");
        assertThat(failed).containsExactly("c-1: the credential file is not a JSON object of strings");
    }

    @Test
    void aStepThatThrowsAnErrorEndsTheJobAsFailedAndNotTheWorker() {
        // Without the runner catching it, the Error ends the worker thread: the job stays open with no answer.
        List<String> failed = runUntilFailed(() -> new StackOverflowError(), "StackOverflowError");
        assertThat(failed).containsExactly("c-1: StackOverflowError");
    }

    /** Runs one job whose every step throws {@code thrown}, until the handler records it failed; the failures recorded. */
    private static List<String> runUntilFailed(java.util.function.Supplier<Throwable> thrown, String reason) {
        OneJob queue = new OneJob();
        List<String> failed = new CopyOnWriteArrayList<>();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        JobHandler handler = new JobHandler() {
            @Override
            public Step step(JobRow job) {
                attempts.add(job.errors());
                Throwable t = thrown.get();
                if (t instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) t;
            }

            @Override
            public String reason(JobKind kind, Step.Outcome outcome) {
                return "BackupFailed";
            }

            @Override
            public void recorded(JobRow job, Step step) {
                if (step.outcome() == Step.Outcome.FAILED) {
                    failed.add(job.commandId() + ": " + step.message());
                    queue.open = false;
                }
            }
        };
        JobRepository repository = queue.repository();
        JobLedger ledger = new JobLedger(repository);
        // The job and its event are the database's; what is asserted here is what the runner asks to record.
        JobRecorder recorder = new JobRecorder(ledger, null, null) {
            @Override
            public void record(JobRow job, Step step, JobHandler handler) {
                handler.recorded(job, step);
            }
        };
        JobRunner runner = new JobRunner(queue, handler, repository, ledger, recorder,
                new JobSettings(1, Duration.ofSeconds(60), "test", 3, Duration.ofMillis(100)), new Wakeup());
        runner.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !failed.isEmpty());
            assertThat(attempts).containsExactly(0, 1, 2);
            assertThat(queue.erred).containsExactly("retrying after: " + reason, "retrying after: " + reason);
            return failed;
        } finally {
            runner.stop();
        }
    }
}
