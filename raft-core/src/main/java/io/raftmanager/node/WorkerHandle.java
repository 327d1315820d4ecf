package io.raftmanager.node;

/** Controls a {@link Worker} started by a {@link Scheduler}. */
public interface WorkerHandle {
    /** Signals that work is pending; cheap, callable from any thread. */
    void wake();

    /** Stops the worker after its current {@code doWork} and waits for it; idempotent. */
    void stop();
}
