package io.raftmanager;

/**
 * This server's state machine no longer matches the one a quorum agreed on at a digest marker (see
 * {@link RaftListener#onDivergence}), so the server stopped applying, serving and voting. The operation
 * was not carried out. An operator must rebuild the server's state machine (see {@link
 * RaftConfig#digestIntervalTicks()}).
 */
public final class ReplicaDivergedException extends RaftException {
    private static final long serialVersionUID = 1L;

    public ReplicaDivergedException(String message) {
        super(message);
    }
}
