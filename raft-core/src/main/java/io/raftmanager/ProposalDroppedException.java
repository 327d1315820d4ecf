package io.raftmanager;

/**
 * A proposal was refused before it entered the log, so it was definitely not applied; the caller may
 * retry. The reason says why (for example a leadership transfer in progress, or a full inflight budget).
 */
public final class ProposalDroppedException extends RaftException {
    private static final long serialVersionUID = 1L;

    public ProposalDroppedException(String reason) {
        super("proposal dropped: " + reason);
    }
}
