package io.raftmanager;

/**
 * A leadership transfer was refused because its target cannot take over. {@link #reason()} says why; a
 * transfer that starts but does not finish in time is not an exception: proposals are simply accepted
 * again.
 */
public final class LeadershipTransferException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** Why a leadership transfer was refused. */
    public enum Reason {
        /** The target is this server, which already leads. */
        SELF,
        /** The target is not a member of the configuration. */
        UNKNOWN_PEER,
        /** The target is a learner, or a voter only of the outgoing half of a joint configuration. */
        NOT_VOTER
    }

    private final Reason reason;

    public LeadershipTransferException(Reason reason, long target) {
        super("cannot transfer leadership to " + target + ": " + reason);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
