package io.raftmanager.testkit;

import io.raftmanager.node.Scheduler;
import io.raftmanager.node.Worker;
import io.raftmanager.node.WorkerHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Scheduler} for running the real runtime deterministically: every worker runs on the calling
 * thread, in the order started, and time is virtual. {@link #runFor} alternates between running workers
 * until all are idle and jumping time to the next deadline, so a whole cluster of {@code RaftNode}s
 * replays exactly from its seed.
 */
public final class SimScheduler implements Scheduler {
    private final List<Slot> slots = new ArrayList<>();
    private long now;

    private static final class Slot implements WorkerHandle {
        final Worker worker;
        boolean stopped;

        Slot(Worker worker) {
            this.worker = worker;
        }

        @Override
        public void wake() {
            // Every live worker is polled each round; nothing to signal.
        }

        @Override
        public void stop() {
            if (!stopped) {
                stopped = true;
                worker.onClose();
            }
        }
    }

    @Override
    public WorkerHandle start(String name, Worker worker) {
        Slot s = new Slot(worker);
        slots.add(s);
        return s;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Virtual wall time: every simulated server reads the same clock. */
    @Override
    public long currentTimeMillis() {
        return now / 1_000_000;
    }

    /** Runs every worker until none has work left; returns the work done. */
    public long runUntilIdle() {
        long total = 0;
        int work;
        do {
            work = 0;
            for (Slot s : List.copyOf(slots)) {
                if (!s.stopped) {
                    work += s.worker.doWork();
                }
            }
            total += work;
        } while (work > 0);
        slots.removeIf(s -> s.stopped);
        return total;
    }

    /** Advances virtual time by {@code nanos}, running workers whenever they are due. */
    public void runFor(long nanos) {
        long end = now + nanos;
        runUntilIdle();
        while (now < end) {
            long next = end;
            for (Slot s : slots) {
                long idle = Math.max(1, s.worker.idleNanos());
                next = Math.min(next, idle >= end - now ? end : now + idle);
            }
            now = next;
            runUntilIdle();
        }
    }
}
