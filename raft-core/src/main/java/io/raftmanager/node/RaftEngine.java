package io.raftmanager.node;

import io.raftmanager.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every Raft group of a process shares: a fixed set of event loops (by default one per core),
 * a few disk threads that write and sync logs, and a few worker threads for work that may block (a state
 * machine's apply unless it runs on the loop, snapshot I/O). The thread count does not grow with the number
 * of groups.
 *
 * <p>Each group is pinned to one loop (the least loaded when it starts): its core handles messages, ticks
 * and proposals there, and a state machine that {@linkplain io.raftmanager.StateMachine#applyOnEventLoop()
 * declares a cheap apply} is applied there too. Inputs that arrive on the group's loop (a message read by a
 * transport that shares the loops, a proposal from a server connection on it) reach the core with no thread
 * wake-up; inputs from other threads are batched into one hand-off per run.
 *
 * <p>To share the loops with the application's own I/O, build the engine on its single-threaded executors,
 * for example a Netty {@code EventLoopGroup}'s event loops, with {@link Builder#loopExecutors}; the engine
 * then never shuts them down.
 */
public final class RaftEngine implements Scheduler, AutoCloseable {
    private static final Object SHARED_LOCK = new Object();
    private static RaftEngine shared;

    private final Loop[] loops;
    private final int[] pinned;
    private final ThreadPoolExecutor disk;
    private final ThreadPoolExecutor blocking;
    private final ConcurrentHashMap<Object, Pin> pins = new ConcurrentHashMap<>();

    private static final class Pin {
        final int loop;
        int workers;

        Pin(int loop) {
            this.loop = loop;
        }
    }

    private RaftEngine(Builder b) {
        List<Loop> ls = new ArrayList<>();
        if (b.executors != null) {
            b.executors.forEach(e -> ls.add(new ExecutorLoop(e)));
        } else {
            for (int i = 0; i < b.loops; i++) {
                ls.add(new ThreadLoop(b.name + "-loop-" + i, b.spinNanos));
            }
        }
        this.loops = ls.toArray(new Loop[0]);
        this.pinned = new int[loops.length];
        this.disk = pool(b.name + "-disk-", b.diskThreads);
        this.blocking = pool(b.name + "-worker-", b.blockingThreads);
    }

    private static ThreadPoolExecutor pool(String prefix, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor p =
                new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, prefix + n.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** The process-wide engine that nodes use unless given another: daemon threads, one loop per core. */
    public static RaftEngine shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null) {
                shared = builder().name("raft-engine").build();
            }
            return shared;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The number of event loops. */
    public int loopCount() {
        return loops.length;
    }

    @Override
    public WorkerHandle start(String name, Worker worker) {
        return start(name, worker, WorkerKind.BLOCKING, worker);
    }

    @Override
    public WorkerHandle start(String name, Worker worker, WorkerKind kind, Object affinity) {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(affinity, "affinity");
        Loop loop = loops[pin(affinity)];
        WorkerRunner r = new WorkerRunner(
                name,
                worker,
                kind == WorkerKind.LOOP,
                loop,
                kind == WorkerKind.DISK ? disk : blocking,
                () -> unpin(affinity));
        r.wake();
        return r;
    }

    private int pin(Object affinity) {
        synchronized (pinned) {
            Pin p = pins.computeIfAbsent(affinity, k -> {
                int best = 0;
                for (int i = 1; i < pinned.length; i++) {
                    if (pinned[i] < pinned[best]) {
                        best = i;
                    }
                }
                pinned[best]++;
                return new Pin(best);
            });
            p.workers++;
            return p.loop;
        }
    }

    private void unpin(Object affinity) {
        synchronized (pinned) {
            Pin p = pins.get(affinity);
            if (p != null && --p.workers == 0) {
                pins.remove(affinity);
                pinned[p.loop]--;
            }
        }
    }

    /** How many groups are pinned to each loop, in loop order (for tests and status). */
    List<Integer> groupsPerLoop() {
        synchronized (pinned) {
            List<Integer> out = new ArrayList<>();
            for (int n : pinned) {
                out.add(n);
            }
            return out;
        }
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    /** Stops the engine's own threads (not executors given to {@link Builder#loopExecutors}). */
    @Override
    public void close() {
        for (Loop l : loops) {
            l.shutdown();
        }
        disk.shutdown();
        blocking.shutdown();
    }

    /** Sizes and names the engine's threads. */
    public static final class Builder {
        private int loops = Runtime.getRuntime().availableProcessors();
        private List<? extends ScheduledExecutorService> executors;
        private int diskThreads = 2;
        private int blockingThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private long spinNanos;
        private String name = "raft";

        private Builder() {}

        /** Event loops of the engine's own; default one per core. */
        public Builder loops(int value) {
            loops = positive("loops", value);
            return this;
        }

        /**
         * Runs the groups on these executors instead of loops of the engine's own. Each must run its tasks on
         * one thread in submission order (a Netty event loop does); the engine never shuts them down.
         */
        public Builder loopExecutors(List<? extends ScheduledExecutorService> value) {
            if (value == null || value.isEmpty()) {
                throw new InvalidConfigException("loopExecutors", "must name at least one executor");
            }
            executors = List.copyOf(value);
            return this;
        }

        /** Threads that write and sync logs; default 2, so two groups' syncs can overlap. */
        public Builder diskThreads(int value) {
            diskThreads = positive("diskThreads", value);
            return this;
        }

        /** Threads for work that may block (apply off the loop, snapshots); default max(2, cores). */
        public Builder blockingThreads(int value) {
            blockingThreads = positive("blockingThreads", value);
            return this;
        }

        /**
         * How long an idle loop of the engine's own spins before parking; default 0. Spinning saves the
         * wake-up latency only when a core is free to spin on.
         */
        public Builder spinMicros(long value) {
            if (value < 0) {
                throw new InvalidConfigException("spinMicros", "must be >= 0, was " + value);
            }
            spinNanos = TimeUnit.MICROSECONDS.toNanos(value);
            return this;
        }

        /** The prefix of the engine's thread names. */
        public Builder name(String value) {
            name = Objects.requireNonNull(value, "name");
            return this;
        }

        public RaftEngine build() {
            return new RaftEngine(this);
        }

        private static int positive(String field, int value) {
            if (value < 1) {
                throw new InvalidConfigException(field, "must be >= 1, was " + value);
            }
            return value;
        }
    }
}
