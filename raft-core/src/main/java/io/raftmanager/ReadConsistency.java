package io.raftmanager;

/** How fresh a read must be. Stronger levels cost more round trips. */
public enum ReadConsistency {
    /**
     * Reflects every write completed before the read began (linearizable): the leader confirms it is
     * still leader with a quorum (ReadIndex) and the read waits until that index is applied.
     */
    LINEARIZABLE,
    /**
     * Served by the leader from its lease without a round trip; linearizable while no follower's clock
     * runs more than {@link RaftConfig#leaseClockRateBound()} times as fast as the leader's (1.125 with
     * the default {@code electionTicks} 10 and {@code leaseDriftTicks} 2). Process pauses of any length
     * (GC, SIGSTOP, swapping) do not break it.
     *
     * <p>The lease lasts {@link RaftConfig#leaseNanos()} on the leader's monotonic clock from the send of
     * the last heartbeat round a quorum answered, and is judged on the clock read when the read reaches the
     * core, not on ticks counted, so a leader that stalled past its lease falls back to a ReadIndex round
     * instead of answering from its old state. A follower that answered the round refuses votes until it
     * has counted a full election timeout of its own ticks, and one that restarts refuses them for its
     * first election timeout. Leases also need {@link RaftConfig#checkQuorum()}; without it, and after a
     * leadership transfer began, the read falls back to the ReadIndex round of {@link #LINEARIZABLE}. The
     * simulator checks lease reads with clock rates spread up to exactly that bound and pauses of up to
     * four election timeouts.
     */
    LEASE,
    /** Served by this server, which asks the leader for a read index and waits until it has applied it. */
    FOLLOWER,
    /** This server's current state, without any check: may be stale, but never goes back in time on one server. */
    STALE
}
