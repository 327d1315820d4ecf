package io.raftmanager;

import java.util.OptionalLong;

/**
 * A node's view of its group at one moment, read with {@link RaftNode#state()} without locking or waiting.
 * Immutable; a later call may return a newer view. The indexes satisfy {@code appliedIndex <= commitIndex
 * <= lastIndex} in one view.
 *
 * @param nodeId this server's id
 * @param role the role it plays
 * @param term its current term
 * @param leader the leader it knows of in {@code term}, empty if none (this server's own id when it leads)
 * @param commitIndex the highest log index it knows committed, as of the event loop's last published pass:
 *     it may trail a just-completed {@link RaftNode#submit} future by a moment
 * @param appliedIndex the highest log index its state machine has applied, as last reported to the event
 *     loop: it may trail a just-completed {@link RaftNode#submit} future by a moment
 * @param lastIndex the last index of its log
 */
public record NodeState(
        long nodeId, Role role, long term, OptionalLong leader, long commitIndex, long appliedIndex, long lastIndex) {
    /** Whether this server is the leader it knows of. */
    public boolean isLeader() {
        return role == Role.LEADER;
    }
}
