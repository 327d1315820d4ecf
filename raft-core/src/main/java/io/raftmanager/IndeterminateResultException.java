package io.raftmanager;

/**
 * The outcome of a proposal is unknown: it may or may not be committed and applied (for example the
 * leader lost its leadership after appending it). It is never retried silently; a caller that retries
 * must be prepared for the command to apply twice unless it uses a client session.
 */
public final class IndeterminateResultException extends RaftException {
    private static final long serialVersionUID = 1L;

    public IndeterminateResultException(String message) {
        super(message);
    }
}
