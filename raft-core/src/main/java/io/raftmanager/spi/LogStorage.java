package io.raftmanager.spi;

import java.util.List;
import java.util.Optional;

/**
 * The durable log of one Raft group: the read side the core uses plus the writes the runtime performs.
 *
 * <p>Threading: {@link #write} and {@link #compact} are called one at a time, each call finished (and
 * visible) before the next starts: from the group's log writer (a disk thread, or the group's event loop
 * when the storage {@linkplain #queuesWrites() queues its writes}), except that the event loop writes a
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
     * Writes {@code batches} in order, as consecutive {@link #write} calls would, without holding the
     * calling thread until they are durable, then calls {@code done} once. It counts as one call in the
     * one-at-a-time rule above: the runtime makes its next write, {@code writeAsync} or {@link #compact}
     * only after {@code done} was called. The first batch that fails ends the call (later ones are not
     * written) and {@code done} gets its exception.
     *
     * <p>Storage shared by many groups implements it so that one thread gathers every group's pending
     * writes into one sync (group commit across groups) instead of one blocked thread per group. The
     * default writes on the calling thread and then calls {@code done} before returning.
     */
    default void writeAsync(List<LogBatch> batches, WriteCompletion done) {
        int written = 0;
        for (LogBatch b : batches) {
            try {
                write(b);
            } catch (RuntimeException e) {
                done.completed(written, e);
                return;
            }
            written++;
        }
        done.completed(written, null);
    }

    /**
     * Whether {@link #writeAsync} only queues the batches and returns at once, never waiting for the disk
     * (another thread writes, syncs and completes them). The runtime then calls it from the group's event
     * loop rather than handing each write to a disk thread first, which saves two thread hand-offs per
     * write. The default {@code writeAsync} writes on the calling thread, so the default is false; a
     * wrapper that forwards {@code writeAsync} should forward this too.
     */
    default boolean queuesWrites() {
        return false;
    }

    /**
     * Discards entries up to and including {@code upToIndex} (a no-op at or below the base point), moving
     * the base point ({@link #snapshot()}) to {@code (upToIndex, term(upToIndex))} and keeping its
     * membership. The runtime calls it only behind a snapshot durable in its {@link SnapshotStore}, keeping
     * a trailing window of entries; atomic like {@link #write}, and need not be synced (a compaction lost
     * in a crash only leaves entries that are compacted again).
     */
    void compact(long upToIndex);

    /**
     * The snapshot store that belongs with this log, which {@link io.raftmanager.RaftNodeBuilder} uses when
     * it is given none. The log is compacted behind snapshots, so the two must be equally durable: a
     * durable log offers a durable store in the same place (the same snapshots every time it is opened),
     * a volatile one a volatile store (the same instance every time it is asked). Empty by default: a node
     * on such storage whose state machine supports snapshots must then be given a store explicitly.
     */
    default Optional<SnapshotStore> companionSnapshotStore() {
        return Optional.empty();
    }

    /** Releases every resource; idempotent. */
    @Override
    void close();
}
