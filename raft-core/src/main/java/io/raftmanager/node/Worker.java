package io.raftmanager.node;

/**
 * One role of the runtime (event loop, log writer, applier) as a duty cycle: the {@link Scheduler}
 * calls {@link #doWork()} repeatedly, never concurrently with itself, on shared engine threads in
 * production or from a simulator's single thread in tests. A worker never blocks inside {@code doWork}
 * unless its {@link WorkerKind} allows it.
 */
public interface Worker {
    /** Does whatever work is pending; returns how much was done (0 means idle). */
    int doWork();

    /**
     * How long the worker may sleep when idle before it must run again (for example until its next
     * tick), in nanoseconds; {@link Long#MAX_VALUE} if only a {@link WorkerHandle#wake()} can give it work.
     */
    default long idleNanos() {
        return Long.MAX_VALUE;
    }

    /**
     * For a {@link WorkerKind#LOOP} worker: whether its next run may block (for example installing a
     * snapshot), so it must run on a blocking thread instead of its loop this once. Asked before each run.
     */
    default boolean blocksNext() {
        return false;
    }

    /**
     * Asked after a run that did work: whether it left work undone that no {@link WorkerHandle#wake()}
     * will announce (inputs beyond one pass's limit, a task deferred to another thread), so it must run
     * again at once. Anything posted during a run wakes the worker anyway. Answering false where true is
     * due leaves work stranded; the default, true, costs one run that finds nothing.
     */
    default boolean hasLeftoverWork() {
        return true;
    }

    /**
     * Called once if {@code doWork} throws: the worker is stopped (it never runs again) and should make its
     * owner fail rather than leave work waiting for it forever.
     */
    default void onFailure(Throwable cause) {}

    /** Called once after the last {@code doWork}. */
    default void onClose() {}
}
