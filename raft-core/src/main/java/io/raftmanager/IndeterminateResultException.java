package io.raftmanager;

/**
 * The outcome of a proposal is unknown: it may or may not be committed and applied (for example the
 * leader lost its leadership after appending it). It is never retried silently. Retrying a plain
 * proposal may apply the command twice; retrying a session proposal with the same session and sequence
 * number (see {@link ClientSession}) is safe: if the first attempt was applied, the retry returns its
 * result without applying it again.
 */
public final class IndeterminateResultException extends RaftException {
    private static final long serialVersionUID = 1L;

    public IndeterminateResultException(String message) {
        super(message);
    }
}
