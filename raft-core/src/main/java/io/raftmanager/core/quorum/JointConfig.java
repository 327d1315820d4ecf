package io.raftmanager.core.quorum;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The voters of a (possibly joint) configuration: {@code incoming} is C_new (or the only configuration),
 * {@code outgoing} is C_old while a joint configuration is in effect and empty otherwise. Every decision
 * needs a majority of both halves (Raft §6, thesis §4.3).
 */
public record JointConfig(MajorityConfig incoming, MajorityConfig outgoing) {
    public static JointConfig simple(Set<Long> voters) {
        return new JointConfig(new MajorityConfig(voters), new MajorityConfig(Set.of()));
    }

    public boolean isJoint() {
        return !outgoing.isEmpty();
    }

    public boolean contains(long id) {
        return incoming.contains(id) || outgoing.contains(id);
    }

    /** Every voter of either half, in id order. */
    public Set<Long> ids() {
        Set<Long> all = new TreeSet<>(incoming.voters());
        all.addAll(outgoing.voters());
        return all;
    }

    public long committedIndex(AckedIndexer acked) {
        return Math.min(incoming.committedIndex(acked), outgoing.committedIndex(acked));
    }

    public VoteResult voteResult(Map<Long, Boolean> votes) {
        VoteResult a = incoming.voteResult(votes);
        VoteResult b = outgoing.voteResult(votes);
        if (a == b) {
            return a;
        }
        if (a == VoteResult.LOST || b == VoteResult.LOST) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }
}
