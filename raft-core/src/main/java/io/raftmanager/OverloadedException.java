package io.raftmanager;

/**
 * Too many proposals are pending on this node (by count or bytes); this one was refused at once and was
 * definitely not applied. Retry after some of the outstanding ones complete.
 */
public final class OverloadedException extends RaftException {
    private static final long serialVersionUID = 1L;

    public OverloadedException(String message) {
        super(message);
    }
}
