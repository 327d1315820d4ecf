package io.raftmanager.node;

/** Where a {@link Worker} may run, which decides the thread set it shares in a {@link RaftEngine}. */
public enum WorkerKind {
    /**
     * Cheap, never blocks: runs on the event loop its group is pinned to, with the group's other loop
     * workers and the transport's and application's I/O there, so hand-offs between them cost no thread
     * wake-up.
     */
    LOOP,
    /** Writes and syncs the log: runs on the engine's disk threads, one run of one worker at a time. */
    DISK,
    /** May block (a state machine's apply, snapshot I/O): runs on the engine's worker threads. */
    BLOCKING
}
