package io.raftmanager;

/**
 * The root of every expected failure raft-manager reports: a typed, unchecked exception that callers
 * can match on. Broken internal invariants are reported as {@link IllegalStateException} instead,
 * because they are bugs, not outcomes.
 */
public abstract class RaftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected RaftException(String message) {
        super(message);
    }

    protected RaftException(String message, Throwable cause) {
        super(message, cause);
    }
}
