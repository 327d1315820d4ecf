package io.raftmanager.node;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Loop} on a single-threaded executor that the application owns, such as a Netty event loop: the
 * Raft groups pinned to it then share its thread with the sockets it serves.
 */
final class ExecutorLoop implements Loop {
    private final ScheduledExecutorService executor;

    ExecutorLoop(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // The application shut its executor down: nothing runs there any more.
        }
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        try {
            executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // As above.
        }
    }

    @Override
    public void shutdown() {
        // Owned by the application.
    }
}
