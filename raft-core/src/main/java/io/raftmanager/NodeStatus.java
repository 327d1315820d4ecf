package io.raftmanager;

import java.util.Map;

/**
 * A point-in-time view of one node.
 *
 * @param leader the leader this node knows of, 0 if none
 * @param peers when this node leads: per member, its replication state; otherwise empty
 * @param recovery while this node recovers from empty or lost storage and neither votes nor campaigns,
 *     why (for example "recovering: waiting to catch up to index 42 (at 17)"); null when it votes normally
 *     (docs/storage-faults.md)
 * @param diskFull whether this node's disk is full: its writes wait (retried until space returns), it
 *     refuses proposals with {@link io.raftmanager.spi.StorageFullException} and still serves reads
 */
public record NodeStatus(
        long id,
        Role role,
        long term,
        long leader,
        long commitIndex,
        long appliedIndex,
        long lastIndex,
        Map<Long, PeerStatus> peers,
        String recovery,
        boolean diskFull) {

    /** Whether this node recovers from empty or lost storage: it then neither votes nor campaigns. */
    public boolean recovering() {
        return recovery != null;
    }

    /**
     * The leader's view of one member.
     *
     * @param matchIndex the highest index known replicated on it
     * @param lag how many entries it is behind the leader's last index
     */
    public record PeerStatus(long matchIndex, long lag) {}
}
