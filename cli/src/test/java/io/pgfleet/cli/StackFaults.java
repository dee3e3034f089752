package io.pgfleet.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What drills do to a {@link LocalStack}, as a crash or an outage would: a service killed with SIGKILL or stopped with
 * SIGTERM and started again, the broker or the state PostgreSQL closed and started again on their kept data.
 */
final class StackFaults {

    private final LocalStack stack;

    StackFaults(LocalStack stack) {
        this.stack = stack;
    }

    /** Kills a service with SIGKILL, as a crash would, and waits for it to be gone (its instances keep running, as after a crash). */
    void kill(String service) throws InterruptedException {
        end(service, true);
    }

    /** Stops a service as {@code down} does (SIGTERM: it ends its work and writes its class-data archive) and waits for it. */
    void stop(String service) throws InterruptedException {
        end(service, false);
    }

    /** Starts a service again (after {@link #kill} or {@link #stop}) and waits until it reports healthy. */
    void restart(String service, Duration timeout) {
        stack.launch(service);
        stack.awaitHealthy(service, timeout);
    }

    /** The process id of a running service. */
    long pid(String service) {
        return stack.process(service).pid();
    }

    /** Stops the Kafka broker and starts it again on its own storage (an outage of the broker). */
    void restartKafka() throws IOException {
        stack.kafka().close();
        stack.startBroker();
    }

    /** Stops the state PostgreSQL (fast shutdown: every connection of the services breaks) and starts it again. */
    void restartState() throws Exception {
        stack.state().close();
        stack.startState();
    }

    private void end(String service, boolean crash) throws InterruptedException {
        Process process = stack.process(service);
        if (crash) {
            process.destroyForcibly(); // SIGKILL on Linux
        } else {
            process.destroy();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(service + " (pid " + process.pid() + ") did not end after " + (crash ? "SIGKILL" : "SIGTERM"));
        }
    }
}
