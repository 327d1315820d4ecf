package io.raftmanager.node;

/**
 * One single-threaded event loop of a {@link RaftEngine}: tasks run in submission order on its one thread,
 * and a task submitted from that thread itself costs no wake-up.
 */
interface Loop {
    /** Runs {@code task} on the loop soon; callable from any thread. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop after {@code delayNanos}; callable from any thread. */
    void schedule(Runnable task, long delayNanos);

    /** Stops the loop if the engine owns it; idempotent. */
    void shutdown();
}
