package io.raftmanager.spi;

/**
 * The durable log of one Raft group: the read side the core uses plus the writes the runtime performs.
 *
 * <p>Threading: {@link #write} and {@link #compact} are called one at a time, each call finished (and
 * visible) before the next starts: from the log-writer thread, except that the event loop writes a
 * batch holding only a commit index itself while the log writer is idle. Reads may come concurrently
 * from the event loop. Failures are {@link StorageException}s and
 * are fatal to the node: the runtime stops rather than serve from a log it cannot trust. The one
 * exception is {@link StorageFullException}, for a write or compaction that failed for lack of space and
 * changed nothing: the runtime keeps the node up, refuses proposals, and retries the same write until
 * it succeeds (docs/storage-faults.md). Throw it only when that promise holds; a failed sync never does.
 */
public interface LogStorage extends LogReader, AutoCloseable {
    /** The state persisted at the last successful write, read once at start-up. */
    PersistentState initialState();

    /**
     * Applies a batch atomically: after a crash either the whole batch is visible or none of it.
     *
     * <p>Durability: when this returns for a batch with {@code batch.sync()}, that batch <em>and every
     * write before it</em> (synced or not, {@link #compact} included) are durable; writes are made durable
     * in the order they were made. The runtime relies on it: it writes a commit index without sync and
     * counts on the next synced write to make it durable (a configuration entry takes effect only once
     * the commit index covering it is durable). A write-ahead log synced as a whole (RocksDB's {@code
     * SyncWAL}, one file {@code fsync}ed) has this property; storage that syncs per record or per file must
     * sync earlier records too. The contract suite checks it with the implementation's power-loss model.
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
