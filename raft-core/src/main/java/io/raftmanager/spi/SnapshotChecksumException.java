package io.raftmanager.spi;

import io.raftmanager.RaftException;

/** A received snapshot's size or CRC32C does not match its metadata: its bytes were discarded. */
public final class SnapshotChecksumException extends RaftException {
    private static final long serialVersionUID = 1L;

    public SnapshotChecksumException(String message) {
        super(message);
    }
}
