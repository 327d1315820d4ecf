package io.raftmanager.spi;

import io.raftmanager.RaftException;

/**
 * The disk is full. Thrown by a {@link LogStorage} whose write failed for lack of space and changed
 * nothing (the storage stays usable and the same write may be retried once space is freed), and by a node
 * that refuses proposals meanwhile. Unlike {@link StorageException}, not fatal: the node keeps serving
 * what it safely can and resumes writing when space returns.
 */
public final class StorageFullException extends RaftException {
    private static final long serialVersionUID = 1L;

    public StorageFullException(String message) {
        super(message);
    }

    public StorageFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
