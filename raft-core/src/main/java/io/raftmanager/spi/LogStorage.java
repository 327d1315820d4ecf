package io.raftmanager.spi;

/**
 * The durable log of one Raft group: the read side the core uses plus the writes the runtime performs.
 *
 * <p>Threading: {@link #write} and {@link #compact} are called one at a time, each call finished (and
 * visible) before the next starts: from the log-writer thread, except that the event loop writes a
 * batch holding only a commit index itself while the log writer is idle. Reads may come concurrently
 * from the event loop. Failures are {@link StorageException}s and
 * are fatal to the node: the runtime stops rather than serve from a log it cannot trust.
 */
public interface LogStorage extends LogReader, AutoCloseable {
    /** The state persisted at the last successful write, read once at start-up. */
    PersistentState initialState();

    /**
     * Applies a batch atomically: when this returns with {@code batch.sync()}, every part of the batch
     * is durable; after a crash either the whole batch is visible or none of it.
     */
    void write(LogBatch batch);

    /**
     * Discards entries up to and including {@code upToIndex} (a no-op at or below the base point), moving
     * the base point ({@link #snapshot()}) to {@code (upToIndex, term(upToIndex))} and keeping its
     * membership. The runtime calls it only behind a snapshot durable in its {@link SnapshotStore}, keeping
     * a trailing window of entries; atomic like {@link #write}, and need not be synced (a compaction lost
     * in a crash only leaves entries that are compacted again).
     */
    void compact(long upToIndex);

    /** Releases every resource; idempotent. */
    @Override
    void close();
}
