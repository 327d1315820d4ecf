package io.raftmanager.spi;

import io.raftmanager.RaftException;

/** The requested index precedes the log's first index: it is only available through a snapshot. */
public final class LogCompactedException extends RaftException {
    private static final long serialVersionUID = 1L;

    public LogCompactedException(long index, long firstIndex) {
        super("index " + index + " is compacted; first index is " + firstIndex);
    }
}
