package io.raftmanager;

import java.util.OptionalLong;

/** The operation needs the leader and this server is not it; retry at {@link #leaderHint()} if known. */
public final class NotLeaderException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final long leaderHint;

    /**
     * @param self the id of the server that refused
     * @param leaderHint the id of the leader this server knows of, or 0 if none
     */
    public NotLeaderException(long self, long leaderHint) {
        super("server " + self + " is not the leader" + (leaderHint == 0 ? "" : "; leader is " + leaderHint));
        this.leaderHint = leaderHint;
    }

    /** The leader this server currently knows of, if any. */
    public OptionalLong leaderHint() {
        return leaderHint == 0 ? OptionalLong.empty() : OptionalLong.of(leaderHint);
    }
}
