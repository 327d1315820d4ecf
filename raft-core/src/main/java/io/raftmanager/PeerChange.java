package io.raftmanager;

/**
 * One server's part in a {@link MembershipChange}.
 *
 * @param type what happens to the server
 * @param peer the server's id; non-zero
 */
public record PeerChange(Type type, long peer) {
    /** What a change does to one server. */
    public enum Type {
        /** Make the server a voter: a new server, or a learner promoted once it caught up. */
        ADD_VOTER,
        /** Make the server a learner: a new server that receives the log without voting, or a voter demoted. */
        ADD_LEARNER,
        /** Take the server out of the group. Its id is never accepted again: a returning machine joins under a new one. */
        REMOVE
    }

    /** Validates the fields. */
    public PeerChange {
        if (type == null) {
            throw new IllegalArgumentException("type is required");
        }
        if (peer == 0) {
            throw new IllegalArgumentException("peer must be non-zero");
        }
    }

    /** {@code peer} becomes a voter. */
    public static PeerChange addVoter(long peer) {
        return new PeerChange(Type.ADD_VOTER, peer);
    }

    /** {@code peer} becomes a learner. */
    public static PeerChange addLearner(long peer) {
        return new PeerChange(Type.ADD_LEARNER, peer);
    }

    /** {@code peer} leaves the group. */
    public static PeerChange remove(long peer) {
        return new PeerChange(Type.REMOVE, peer);
    }
}
