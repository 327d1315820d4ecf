package io.raftmanager;

/** The node is closed (or failed and stopped); the operation was not carried out. */
public final class ClosedException extends RaftException {
    private static final long serialVersionUID = 1L;

    public ClosedException(String message) {
        super(message);
    }

    public ClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
