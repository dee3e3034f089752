package io.pgfleet.clusters.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.slf4j.MDC;

/**
 * The same work for a few members at once, a thread each (the work is other processes': pg_basebackup, a postmaster's
 * start), the caller's log context carried over. Every item's work ends before this returns; the first failure, in the
 * items' order, is thrown then.
 */
final class SideBySide {

    private SideBySide() {
    }

    static <T, R> List<R> run(List<T> items, Function<T, R> work) {
        if (items.size() == 1) {
            return List.of(work.apply(items.get(0)));
        }
        Map<String, String> context = MDC.getCopyOfContextMap();
        ExecutorService threads = Executors.newFixedThreadPool(items.size(), runnable -> {
            Thread thread = new Thread(runnable, "members-side-by-side");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<R>> running = new ArrayList<>();
            for (T item : items) {
                running.add(threads.submit(() -> {
                    if (context != null) {
                        MDC.setContextMap(context);
                    }
                    try {
                        return work.apply(item);
                    } finally {
                        MDC.clear();
                    }
                }));
            }
            List<R> results = new ArrayList<>();
            RuntimeException first = null;
            for (Future<R> result : running) {
                try {
                    results.add(result.get());
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while members were worked on side by side", e);
                }
            }
            if (first != null) {
                throw first;
            }
            return results;
        } finally {
            threads.shutdown();
        }
    }
}
