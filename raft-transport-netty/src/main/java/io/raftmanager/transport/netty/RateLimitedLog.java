package io.raftmanager.transport.netty;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Lets at most one line per key through per interval, so that a peer (or an attacker) that keeps
 * reconnecting and sending bad frames cannot flood the log. The next line that passes says how many
 * were suppressed in between. Thread-safe.
 */
final class RateLimitedLog {
    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Consumer<String> sink;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long openedAtNanos;
        long suppressed;

        Window(long openedAtNanos) {
            this.openedAtNanos = openedAtNanos;
        }
    }

    RateLimitedLog(long intervalNanos, LongSupplier nanoTime, Consumer<String> sink) {
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
        this.sink = sink;
    }

    /** Logs {@code line} unless a line with the same key was logged within the interval. */
    void log(String key, String line) {
        long now = nanoTime.getAsLong();
        Window fresh = new Window(now);
        Window w = windows.putIfAbsent(key, fresh);
        if (w == null) {
            sink.accept(line);
            return;
        }
        long suppressed;
        synchronized (w) {
            if (now - w.openedAtNanos < intervalNanos) {
                w.suppressed++;
                return;
            }
            suppressed = w.suppressed;
            w.suppressed = 0;
            w.openedAtNanos = now;
        }
        sink.accept(suppressed == 0 ? line : line + " (" + suppressed + " similar lines suppressed)");
    }
}
