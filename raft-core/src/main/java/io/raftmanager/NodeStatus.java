package io.raftmanager;

import java.util.Map;
import java.util.OptionalLong;

/**
 * A point-in-time view of one node, taken on its event loop by {@link RaftNode#status()}; {@link
 * RaftNode#state()} gives most of it without waiting.
 *
 * @param leader the leader this node knows of, empty if none
 * @param peers when this node leads: per member, its replication state; otherwise empty
 */
public record NodeStatus(
        long id,
        Role role,
        long term,
        OptionalLong leader,
        long commitIndex,
        long appliedIndex,
        long lastIndex,
        Map<Long, PeerStatus> peers) {

    /**
     * The leader's view of one member.
     *
     * @param matchIndex the highest index known replicated on it
     * @param lag how many entries it is behind the leader's last index
     */
    public record PeerStatus(long matchIndex, long lag) {}
}
