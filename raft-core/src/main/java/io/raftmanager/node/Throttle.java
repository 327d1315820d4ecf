package io.raftmanager.node;

/**
 * A token bucket over bytes: at most {@code bytesPerSecond} on average, in bursts of at most {@code
 * burstBytes}. Zero rate means unlimited. Used by one thread.
 */
final class Throttle {
    private final long bytesPerSecond;
    private final long burstBytes;
    private double tokens;
    private long lastNanos;
    private boolean started;

    Throttle(long bytesPerSecond, long burstBytes) {
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = Math.max(1, burstBytes);
    }

    /** Takes {@code bytes} tokens if available at {@code nowNanos}. */
    boolean tryAcquire(long bytes, long nowNanos) {
        if (bytesPerSecond == 0) {
            return true;
        }
        if (!started) {
            started = true;
            lastNanos = nowNanos;
            tokens = burstBytes;
        }
        tokens = Math.min(burstBytes, tokens + (nowNanos - lastNanos) * (bytesPerSecond / 1e9));
        lastNanos = nowNanos;
        long need = Math.min(bytes, burstBytes);
        if (tokens < need) {
            return false;
        }
        tokens -= need;
        return true;
    }

    /** How long until {@code bytes} tokens are available (0 if unlimited or now). */
    long nanosUntil(long bytes) {
        if (bytesPerSecond == 0) {
            return 0;
        }
        double missing = Math.min(bytes, burstBytes) - tokens;
        return missing <= 0 ? 0 : (long) (missing * 1e9 / bytesPerSecond) + 1;
    }
}
