package io.pgfleet.runtime.db;

import java.time.Duration;
import java.util.function.Consumer;

/** A daemon thread that runs a loop until it is stopped: {@link #running()} turns false and the thread is interrupted. */
public final class Loop {

    private final Thread thread;
    private volatile boolean running = true;

    private Loop(String name, Consumer<Loop> body) {
        thread = new Thread(() -> body.accept(this), name);
        thread.setDaemon(true);
    }

    /** Starts {@code body} on a daemon thread named {@code name}; the body goes on while {@link #running()}. */
    public static Loop start(String name, Consumer<Loop> body) {
        Loop loop = new Loop(name, body);
        loop.thread.start();
        return loop;
    }

    public boolean running() {
        return running;
    }

    /** Asks the loop to end and waits for it, at most {@code patience}. */
    public void stop(Duration patience) throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(patience.toMillis());
    }
}
