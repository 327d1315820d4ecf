package io.raftmanager;

/**
 * Notified of changes in a node's view of its group. Called from the node's event loop thread: return
 * quickly and never block.
 */
public interface RaftListener {
    /** This server's role changed; {@code leader} is the leader it knows of (0 if none). */
    default void onRoleChange(Role role, long term, long leader) {}

    /** A new configuration took effect on this server (its entry was applied). */
    default void onMembershipChange(io.raftmanager.proto.Membership membership) {}

    /**
     * A server's state machine digest at a digest marker differs from the one a quorum of servers agreed
     * on: that server has diverged. Reported on the leader that compared the digests (for every diverged
     * server) and on the diverged server itself (with {@code server} its own id), which stops applying,
     * serving and voting until an operator rebuilds it (see {@link RaftConfig#digestIntervalTicks()}).
     *
     * @param server the diverged server
     * @param index the index of the digest marker
     * @param expectedDigest the digest the quorum agreed on
     * @param reportedDigest the diverged server's digest
     */
    default void onDivergence(long server, long index, long expectedDigest, long reportedDigest) {}

    /**
     * The node stopped after a failure it cannot continue from: a worker died on an unexpected exception,
     * the state machine threw, or the storage failed (an fsync error, a corrupt read). Every pending
     * operation fails with {@link ClosedException}; restart the node to recover. Called once, from the
     * thread that saw the failure.
     *
     * @param where which part failed (for example "log writer" or "applier")
     * @param cause what it failed with
     */
    default void onFailure(String where, Throwable cause) {}
}
