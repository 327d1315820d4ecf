package io.raftmanager.node;

/**
 * Where the runtime's workers run and where its time comes from. The default gives each worker its
 * own thread and reads {@link System#nanoTime()}; a simulator can run every worker on one thread with
 * virtual time, so the same runtime code is tested deterministically.
 */
public interface Scheduler {
    /** Starts running {@code worker}; {@code name} names its thread, if any. */
    WorkerHandle start(String name, Worker worker);

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    /**
     * Wall-clock time in milliseconds since the epoch; a leader stamps it into session entries, and
     * sessions expire by those stamps (comparable across servers, unlike {@link #nanoTime()}).
     */
    default long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    /** The production scheduler: one platform thread per worker, parked when idle. */
    static Scheduler threads() {
        return ThreadScheduler.INSTANCE;
    }
}
