package io.raftmanager.node;

/**
 * Where the runtime's workers run and where its time comes from. The production scheduler is a {@link
 * RaftEngine}: a fixed set of threads shared by every group of the process. A simulator runs every worker
 * on one thread with virtual time, so the same runtime code is tested deterministically.
 */
public interface Scheduler {
    /** Starts running {@code worker} as a {@link WorkerKind#BLOCKING} worker of its own. */
    WorkerHandle start(String name, Worker worker);

    /**
     * Starts running {@code worker}, placed by its {@code kind}; the {@link WorkerKind#LOOP} workers started
     * with the same {@code affinity} (one group's) run on the same event loop. A scheduler without such
     * placement (a simulator) may ignore both.
     */
    default WorkerHandle start(String name, Worker worker, WorkerKind kind, Object affinity) {
        return start(name, worker);
    }

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    /**
     * Wall-clock time in milliseconds since the epoch. Nothing in the protocol depends on it (session
     * expiry runs on leaders' monotonic stamps); it only helps tell one process's read contexts from the
     * previous incarnation's.
     */
    default long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    /** The production scheduler: the process-wide {@link RaftEngine#shared() shared engine}. */
    static Scheduler threads() {
        return RaftEngine.shared();
    }
}
