package io.raftmanager;

/**
 * An operation did not complete in time (for example a read whose leadership confirmation was lost in
 * a leader change). Reads are side-effect free, so retrying one is always safe.
 */
public final class OperationTimeoutException extends RaftException {
    private static final long serialVersionUID = 1L;

    public OperationTimeoutException(String message) {
        super(message);
    }
}
