package io.pgfleet.runtime.db;

import java.time.Duration;

/**
 * Something worth looking at has happened: threads that found nothing to do wait here until it is signalled or
 * their time is up. A signal between a look and the wait is not lost: the waiter names the generation it looked
 * at, and a later one returns at once.
 */
public final class Wakeup {

    private long generation;

    /** What a waiter has seen; pass it to {@link #await} after looking. */
    public synchronized long generation() {
        return generation;
    }

    /** Wakes every waiter. */
    public synchronized void signal() {
        generation++;
        notifyAll();
    }

    /**
     * Waits until a signal later than {@code seen}, or at most {@code timeout}.
     *
     * @return {@code true} when signalled
     */
    public synchronized boolean await(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (generation == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
        return true;
    }
}
