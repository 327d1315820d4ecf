package io.raftmanager;

/** The role a server plays in its Raft group. */
public enum Role {
    FOLLOWER,
    /** Probing with PreVote whether it could win an election, without raising its term (thesis §9.6). */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
