package io.raftmanager.spi;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.SnapshotMeta;
import java.util.List;

/**
 * The read side of a Raft log: what the core needs to look at durable entries. The log holds the
 * contiguous entries {@code [firstIndex(), lastIndex()]}; everything before {@code firstIndex()} is
 * compacted into the latest snapshot, whose index is {@code firstIndex() - 1}.
 *
 * <p>Threading: called only from the group's event loop; implementations must tolerate writes from the
 * log-writer thread happening concurrently. Methods do not block on I/O for long (a cache is
 * expected) and never return partial or corrupted data: a corruption is a {@link StorageException}.
 */
public interface LogReader {
    /** The index of the first entry held; {@code snapshot().getIndex() + 1}. */
    long firstIndex();

    /** The index of the last entry held, or {@code firstIndex() - 1} if the log is empty. */
    long lastIndex();

    /**
     * The term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}
     * (the term of {@code firstIndex() - 1} is the snapshot's).
     *
     * @throws LogCompactedException if {@code index < firstIndex() - 1}
     * @throws IndexOutOfBoundsException if {@code index > lastIndex()}
     */
    long term(long index);

    /**
     * The entries {@code [from, toExclusive)}, stopping early once their serialized sizes exceed {@code
     * maxBytes}; at least one entry is returned when the range is non-empty.
     *
     * @throws LogCompactedException if {@code from < firstIndex()}
     * @throws IndexOutOfBoundsException if {@code toExclusive > lastIndex() + 1}
     */
    List<Entry> entries(long from, long toExclusive, long maxBytes);

    /**
     * The log's base point: the index and term of the entry just before {@link #firstIndex()} and the
     * membership recorded with it, or the default instance (index 0, term 0) for a log never compacted.
     * It is the metadata of the last snapshot written through a {@link LogBatch}, or, after {@link
     * LogStorage#compact}, the compaction point (with the membership left as it was). The state machine's
     * snapshots live in a {@link SnapshotStore}, whose latest is never older than this point; a node at
     * start-up rolls this point forward to it (see {@link SnapshotStore}).
     */
    SnapshotMeta snapshot();
}
