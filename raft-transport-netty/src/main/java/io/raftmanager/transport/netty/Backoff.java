package io.raftmanager.transport.netty;

import java.util.random.RandomGenerator;

/**
 * Exponential reconnect back-off with "equal jitter": after the n-th consecutive failure the delay is
 * drawn uniformly from [d/2, d] where d = min(max, min * 2^(n-1)). The jitter keeps the peers of a
 * restarted server from reconnecting in lock step; the lower half keeps the delay growing.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    Backoff(long minNanos, long maxNanos, RandomGenerator random) {
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.random = random;
    }

    /** The delay before the next attempt after {@code failures} (>= 1) consecutive failures. */
    long delayNanos(int failures) {
        int shift = Math.min(Math.max(failures, 1) - 1, 30);
        long ceiling = minNanos << shift;
        long d = (ceiling >>> shift) != minNanos || ceiling > maxNanos ? maxNanos : ceiling;
        long half = d / 2;
        long jitter;
        synchronized (random) {
            jitter = half == d ? 0 : random.nextLong(d - half + 1);
        }
        return half + jitter;
    }
}
