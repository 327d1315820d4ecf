package io.raftmanager.node;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Worker} as a task on shared threads: a {@code wake()} schedules at most one run, a wake
 * during a run schedules exactly one more, and runs never overlap, so the worker stays single-threaded
 * without owning a thread. A run that left work undone yields and is queued again, so the groups sharing a
 * loop take turns. An idle worker with a deadline arms one timer (only an earlier deadline arms another).
 */
final class WorkerRunner implements WorkerHandle, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRunner.class);
    private static final int IDLE = 0;
    private static final int SCHEDULED = 1;
    private static final int RUNNING = 2;
    private static final int RUNNING_WOKEN = 3;
    private static final long NO_TIMER = Long.MAX_VALUE;

    private final String name;
    private final Worker worker;
    private final boolean onLoop;
    private final Loop loop;
    private final Executor blocking;
    private final Runnable onStopped;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final AtomicLong timerAt = new AtomicLong(NO_TIMER);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean stopped;

    /**
     * @param onLoop whether the worker runs on {@code loop} (else on {@code blocking}, with timers on {@code loop})
     * @param onStopped called once when the worker is stopped
     */
    WorkerRunner(String name, Worker worker, boolean onLoop, Loop loop, Executor blocking, Runnable onStopped) {
        this.name = name;
        this.worker = worker;
        this.onLoop = onLoop;
        this.loop = loop;
        this.blocking = blocking;
        this.onStopped = onStopped;
    }

    @Override
    public void wake() {
        for (; ; ) {
            int s = state.get();
            if (s == IDLE) {
                if (state.compareAndSet(IDLE, SCHEDULED)) {
                    dispatch();
                    return;
                }
            } else if (s == RUNNING) {
                if (state.compareAndSet(RUNNING, RUNNING_WOKEN)) {
                    return;
                }
            } else {
                return; // already scheduled, or running and already asked to run again
            }
        }
    }

    private void dispatch() {
        if (stopped) {
            state.set(IDLE);
            return;
        }
        if (onLoop && !worker.blocksNext()) {
            loop.execute(this);
            return;
        }
        try {
            blocking.execute(this);
        } catch (RejectedExecutionException e) {
            state.set(IDLE); // the engine is closing
        }
    }

    @Override
    public void run() {
        synchronized (this) { // lets stop() wait out a run in progress
            if (stopped) {
                state.set(IDLE);
                return;
            }
            state.set(RUNNING);
            int work;
            try {
                work = worker.doWork();
            } catch (Throwable t) {
                LOG.error("worker {} failed", name, t);
                stopped = true;
                state.set(IDLE);
                try {
                    worker.onFailure(t);
                } finally {
                    close();
                }
                return;
            }
            if (stopped) {
                state.set(IDLE);
                return;
            }
            // A run that did work goes again only if it left some (an empty rerun per run doubles the
            // tasks on a loop that hosts many groups); a wake during the run always brings it back.
            if ((work > 0 && worker.hasLeftoverWork()) || !state.compareAndSet(RUNNING, IDLE)) {
                state.set(SCHEDULED);
                dispatch();
                return;
            }
            armTimer();
        }
    }

    private void armTimer() {
        long idle = worker.idleNanos();
        if (idle == Long.MAX_VALUE) {
            return;
        }
        long at = System.nanoTime() + idle;
        for (; ; ) {
            long pending = timerAt.get();
            if (pending != NO_TIMER && pending - at <= 0) {
                return; // a timer fires no later; its run arms the next one
            }
            if (timerAt.compareAndSet(pending, at)) {
                loop.schedule(() -> onTimer(at), idle);
                return;
            }
        }
    }

    private void onTimer(long at) {
        timerAt.compareAndSet(at, NO_TIMER);
        wake();
    }

    @Override
    public void stop() {
        stopped = true;
        if (!Thread.holdsLock(this)) {
            synchronized (this) {
                // waits for a run in progress on another thread
            }
        }
        close();
    }

    private void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                worker.onClose();
            } finally {
                onStopped.run();
            }
        }
    }
}
