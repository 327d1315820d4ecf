package io.raftmanager.node;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs each worker on its own thread; an idle worker parks until woken or until its idle time is up. */
final class ThreadScheduler implements Scheduler {
    static final ThreadScheduler INSTANCE = new ThreadScheduler();
    private static final Logger LOG = LoggerFactory.getLogger(ThreadScheduler.class);
    /** Bounds a park even if a wake-up were ever missed. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private ThreadScheduler() {}

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public WorkerHandle start(String name, Worker worker) {
        Handle h = new Handle(worker);
        h.thread = new Thread(h::run, name);
        h.thread.setDaemon(true);
        h.thread.start();
        return h;
    }

    private static final class Handle implements WorkerHandle {
        private final Worker worker;
        private final AtomicBoolean woken = new AtomicBoolean();
        private volatile boolean running = true;
        private Thread thread;

        Handle(Worker worker) {
            this.worker = worker;
        }

        void run() {
            try {
                while (running) {
                    woken.set(false);
                    int work = worker.doWork();
                    if (work == 0 && running && !woken.get()) {
                        LockSupport.parkNanos(this, Math.min(worker.idleNanos(), MAX_PARK_NANOS));
                    }
                }
            } catch (Throwable t) {
                LOG.error("worker {} failed", Thread.currentThread().getName(), t);
            } finally {
                worker.onClose();
            }
        }

        @Override
        public void wake() {
            if (woken.compareAndSet(false, true)) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void stop() {
            running = false;
            LockSupport.unpark(thread);
            if (Thread.currentThread() != thread) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
