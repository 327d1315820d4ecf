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
     *
     * <p>The lease lasts {@code electionTicks - leaseDriftTicks} of the leader's ticks from the send of the
     * last heartbeat round a quorum answered; it is safe only if no follower's clock runs so much faster
     * that it counts a full election timeout first (thesis §6.4.1). Beyond that bound, or when the
     * leader's process is paused (its clock stops while others' run), a deposed leader may answer from a
     * stale state. Leases also need {@link RaftConfig#checkQuorum()}; without it the read falls back to
     * the ReadIndex round of {@link #LINEARIZABLE}. The simulator checks lease reads with clocks up to 1.5
     * times apart, the spread the default bound covers.
     */
    LEASE,
    /** Served by this server, which asks the leader for a read index and waits until it has applied it. */
    FOLLOWER,
    /** This server's current state, without any check: may be stale, but never goes back in time on one server. */
    STALE
}
