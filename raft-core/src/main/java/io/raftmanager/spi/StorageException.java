package io.raftmanager.spi;

import io.raftmanager.RaftException;

/**
 * The storage failed or found corrupted data. Fatal to the node: it stops instead of serving or voting
 * from a log it cannot trust.
 */
public final class StorageException extends RaftException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
