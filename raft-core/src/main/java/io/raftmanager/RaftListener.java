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
}
