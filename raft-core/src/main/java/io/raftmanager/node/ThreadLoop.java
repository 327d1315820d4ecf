package io.raftmanager.node;

import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Loop} on a thread of its own: a lock-free task queue, a timer heap and a park that a producer
 * interrupts only when the loop is actually asleep (a busy loop is never signalled). Before parking it may
 * spin for a few microseconds, which pays off only when cores are idle.
 */
final class ThreadLoop implements Loop {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadLoop.class);
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int MAX_TASKS_PER_PASS = 4096;

    private record Timer(long at, long seq, Runnable task) {}

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Thread thread;
    private final long spinNanos;
    private long timerSeq;
    private volatile boolean sleeping;
    private volatile boolean running = true;

    ThreadLoop(String name, long spinNanos) {
        this.spinNanos = spinNanos;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        if (sleeping && Thread.currentThread() != thread) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        if (Thread.currentThread() == thread) {
            timers.add(new Timer(at, timerSeq++, task));
        } else {
            execute(() -> timers.add(new Timer(at, timerSeq++, task)));
        }
    }

    @Override
    public void shutdown() {
        running = false;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (running) {
            int ran = runTimers() + runTasks();
            if (ran > 0) {
                continue;
            }
            if (spinNanos > 0 && spin()) {
                continue;
            }
            sleeping = true;
            if (tasks.isEmpty() && running) {
                LockSupport.parkNanos(this, parkNanos());
            }
            sleeping = false;
        }
    }

    private boolean spin() {
        long end = System.nanoTime() + spinNanos;
        while (tasks.isEmpty()) {
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private long parkNanos() {
        Timer next = timers.peek();
        return next == null ? MAX_PARK_NANOS : Math.max(1, Math.min(MAX_PARK_NANOS, next.at - System.nanoTime()));
    }

    private int runTimers() {
        int ran = 0;
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && now - t.at >= 0) {
            timers.poll();
            safely(t.task);
            ran++;
        }
        return ran;
    }

    private int runTasks() {
        int ran = 0;
        Runnable r;
        while (ran < MAX_TASKS_PER_PASS && (r = tasks.poll()) != null) {
            safely(r);
            ran++;
        }
        return ran;
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            LOG.error("task failed on {}", Thread.currentThread().getName(), t);
        }
    }
}
