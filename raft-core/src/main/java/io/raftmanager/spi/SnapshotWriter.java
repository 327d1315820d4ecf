package io.raftmanager.spi;

import io.raftmanager.proto.SnapshotMeta;

/**
 * Streams the bytes of one snapshot into a {@link SnapshotStore}. Used by one thread at a time. Failures
 * are {@link StorageException}s.
 */
public interface SnapshotWriter extends AutoCloseable {
    /** The number of bytes written so far (for a resumed receive: the bytes kept from before). */
    long position();

    /** Appends {@code length} bytes of {@code data} from {@code offset}. */
    void write(byte[] data, int offset, int length);

    /**
     * Makes the written bytes durable and the snapshot complete, atomically, and deletes older complete
     * snapshots. For a received snapshot the size and CRC32C must match the expected ones; otherwise the
     * partial bytes are discarded and a {@link SnapshotChecksumException} is thrown.
     *
     * @return the metadata of the complete snapshot, with size and checksum
     */
    SnapshotMeta commit();

    /**
     * Ends the writer without completing the snapshot. A received snapshot's bytes are kept (made durable)
     * so that a later {@link SnapshotStore#receive} of the same snapshot resumes after them; a locally
     * created one is discarded. Idempotent; a no-op after {@link #commit()}.
     */
    @Override
    void close();

    /** Ends the writer and discards its bytes, including a received snapshot's partial bytes. */
    void abort();
}
