package io.pgfleet.runtime.security;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * One computation per key at a time: callers asking for a key whose value is being computed wait for that computation
 * instead of starting their own. An expensive view (a catalogue read of every database of an instance) asked a hundred
 * times at once runs once, so callers cannot multiply the work they cause; nothing is kept once it is done, so no
 * answer is staler than the request.
 */
public final class SingleFlight<K, V> {

    private final Map<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();

    /** The value of {@code key}: computed by {@code compute}, or by the computation already running for it. */
    public V get(K key, Function<K, V> compute) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            return join(theirs);
        }
        try {
            V value = compute.apply(key);
            mine.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }

    private static <V> V join(CompletableFuture<V> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a computation under way", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
