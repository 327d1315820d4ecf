package io.raftmanager.spi;

import io.raftmanager.proto.SnapshotMeta;
import java.io.InputStream;

/**
 * Where a server keeps its state machine snapshots: the latest complete one, plus at most one partial
 * snapshot being received from a leader. Snapshots are streamed in and out, never held whole in memory
 * by the caller.
 *
 * <p>Relation to the log: a {@link LogStorage} never compacts past the latest complete snapshot, and the
 * latest complete snapshot is at or after the log's base point ({@link LogReader#snapshot()}). At start-up
 * the runtime rolls the log forward to the latest snapshot if it is newer (a crash came between the two
 * writes), so a restarted server always resumes from its latest snapshot and the log after it.
 *
 * <p>Atomicity: {@link SnapshotWriter#commit()} makes a snapshot complete atomically; after a crash the
 * store holds either the old latest snapshot or the new one, never a mix. A partial snapshot is never
 * returned by {@link #latest()}.
 *
 * <p>Threading: implementations must be thread-safe; a snapshot being read stays readable until its
 * stream is closed, even if a newer commit deletes it from the store.
 */
public interface SnapshotStore extends AutoCloseable {
    /** The latest complete snapshot, or {@code null} if there is none. */
    SnapshotMeta latest();

    /**
     * Starts writing a snapshot taken locally. {@code meta} carries index, term and membership; size and
     * checksum are computed as bytes are written and filled in by {@link SnapshotWriter#commit()}.
     */
    SnapshotWriter create(SnapshotMeta meta);

    /**
     * Starts or resumes receiving the snapshot {@code meta} describes (index, term, size, checksum). If
     * the partial snapshot held is the same one, the writer continues after its durable bytes ({@link
     * SnapshotWriter#position()}); any other partial snapshot is discarded.
     */
    SnapshotWriter receive(SnapshotMeta meta);

    /**
     * Streams the complete snapshot {@code meta} (matched by index, term and checksum) from byte {@code
     * offset}.
     *
     * @throws StorageException if that snapshot is not held (deleted by a newer one) or cannot be read
     */
    InputStream open(SnapshotMeta meta, long offset);

    /** Releases every resource; idempotent. Snapshots stay on durable media. */
    @Override
    void close();
}
