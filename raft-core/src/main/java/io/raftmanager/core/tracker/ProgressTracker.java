package io.raftmanager.core.tracker;

import io.raftmanager.core.quorum.JointConfig;
import io.raftmanager.core.quorum.MajorityConfig;
import io.raftmanager.core.quorum.VoteResult;
import io.raftmanager.proto.Membership;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The leader's bookkeeping for the whole configuration: the voters (possibly joint), the learners, a
 * {@link Progress} per member, and the votes of an election in progress. Iteration is in id order so that
 * the same inputs always produce the same messages in the same order.
 */
public final class ProgressTracker {
    private final JointConfig voters;
    private final Set<Long> learners;
    private final TreeMap<Long, Progress> progress = new TreeMap<>();
    private final Map<Long, Boolean> votes = new HashMap<>();

    public ProgressTracker(Membership membership) {
        Set<Long> incoming = new HashSet<>(membership.getVotersList());
        Set<Long> outgoing = new HashSet<>(membership.getVotersOutgoingList());
        this.voters = new JointConfig(new MajorityConfig(incoming), new MajorityConfig(outgoing));
        Set<Long> l = new HashSet<>(membership.getLearnersList());
        l.addAll(membership.getLearnersNextList());
        this.learners = Set.copyOf(l);
    }

    public JointConfig voters() {
        return voters;
    }

    public Set<Long> learners() {
        return learners;
    }

    public boolean isVoter(long id) {
        return voters.contains(id);
    }

    public boolean isMember(long id) {
        return voters.contains(id) || learners.contains(id);
    }

    /** Every member, voters and learners, in id order. */
    public Set<Long> members() {
        Set<Long> all = new java.util.TreeSet<>(voters.ids());
        all.addAll(learners);
        return all;
    }

    /** Resets every member's progress, as a new leader does: nothing is known to match yet. */
    public void resetProgress(long nextIndex, int maxInflightMessages, long maxInflightBytes) {
        progress.clear();
        for (long id : members()) {
            progress.put(id, new Progress(nextIndex, !voters.contains(id), maxInflightMessages, maxInflightBytes));
        }
    }

    public Progress progress(long id) {
        return progress.get(id);
    }

    public Map<Long, Progress> allProgress() {
        return progress;
    }

    /** The largest index a quorum of voters has acknowledged. */
    public long committed() {
        return voters.committedIndex(id -> {
            Progress p = progress.get(id);
            return p == null ? 0 : p.match();
        });
    }

    /** Whether a quorum of voters was recently active (the leader counts itself as active). */
    public boolean quorumActive(long self) {
        Map<Long, Boolean> active = new HashMap<>();
        progress.forEach((id, p) -> active.put(id, id == self || p.recentActive()));
        return voters.voteResult(active) == VoteResult.WON;
    }

    public void resetVotes() {
        votes.clear();
    }

    /** Records a vote, keeping the first answer of each voter. */
    public void recordVote(long id, boolean granted) {
        votes.putIfAbsent(id, granted);
    }

    public VoteResult tallyVotes() {
        return voters.voteResult(votes);
    }

    public int grantedVotes() {
        return (int) votes.values().stream().filter(b -> b).count();
    }
}
