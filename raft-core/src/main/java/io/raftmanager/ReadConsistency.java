package io.raftmanager;

/** How fresh a read must be. Stronger levels cost more round trips. */
public enum ReadConsistency {
    /**
     * Reflects every write completed before the read began (linearizable): the leader confirms it is
     * still leader with a quorum (ReadIndex) and the read waits until that index is applied.
     */
    LINEARIZABLE,
    /**
     * Served by the leader from its lease without a round trip; linearizable only while clock drift
     * between servers stays within the configured bound.
     */
    LEASE,
    /** Served by this server, which asks the leader for a read index and waits until it has applied it. */
    FOLLOWER,
    /** This server's current state, without any check: may be stale, but never goes back in time on one server. */
    STALE
}
