package io.raftmanager.core.tracker;

import io.raftmanager.core.quorum.JointConfig;
import io.raftmanager.core.quorum.MajorityConfig;
import io.raftmanager.core.quorum.VoteResult;
import io.raftmanager.proto.Membership;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The leader's bookkeeping for the whole configuration: the voters (possibly joint), the learners, a
 * {@link Progress} per member, and the votes of an election in progress. Iteration is in id order so that
 * the same inputs always produce the same messages in the same order.
 */
public final class ProgressTracker {
    private final JointConfig voters;
    private final Set<Long> learners;
    private final Set<Long> voterIds;
    private final Set<Long> members;
    private final TreeMap<Long, Progress> progress = new TreeMap<>();
    /** The same progress as {@code progress}, for allocation-free lookup on the hot path. */
    private long[] progressIds = new long[0];

    private Progress[] progressById = new Progress[0];
    private final Map<Long, Boolean> votes = new HashMap<>();

    public ProgressTracker(Membership membership) {
        Set<Long> incoming = new HashSet<>(membership.getVotersList());
        Set<Long> outgoing = new HashSet<>(membership.getVotersOutgoingList());
        this.voters = new JointConfig(new MajorityConfig(incoming), new MajorityConfig(outgoing));
        Set<Long> l = new HashSet<>(membership.getLearnersList());
        l.addAll(membership.getLearnersNextList());
        this.learners = Set.copyOf(l);
        this.voterIds = Collections.unmodifiableSortedSet(new TreeSet<>(voters.ids()));
        TreeSet<Long> all = new TreeSet<>(voterIds);
        all.addAll(learners);
        this.members = Collections.unmodifiableSortedSet(all);
    }

    /**
     * The tracker for a new configuration, carrying over the progress of members that stay (promoted or
     * demoted in place) and the votes of an election in progress. New members start probing at {@code
     * nextIndex} and count as recently active, so that CheckQuorum gives them an election timeout to answer.
     */
    public ProgressTracker withMembership(
            Membership membership, long nextIndex, int maxInflightMessages, long maxInflightBytes) {
        ProgressTracker t = new ProgressTracker(membership);
        for (long id : t.members) {
            Progress p = progress.get(id);
            boolean learner = !t.voters.contains(id);
            if (p == null) {
                p = new Progress(nextIndex, learner, maxInflightMessages, maxInflightBytes);
                p.setRecentActive(true);
            } else {
                p.setLearner(learner);
            }
            t.progress.put(id, p);
        }
        t.indexProgress();
        t.votes.putAll(votes);
        return t;
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

    /** Every voter of either half of the configuration, in id order. */
    public Set<Long> voterIds() {
        return voterIds;
    }

    /** Every member, voters and learners, in id order. */
    public Set<Long> members() {
        return members;
    }

    public boolean hasMembers() {
        return !members.isEmpty();
    }

    /** Resets every member's progress, as a new leader does: nothing is known to match yet. */
    public void resetProgress(long nextIndex, int maxInflightMessages, long maxInflightBytes) {
        progress.clear();
        for (long id : members) {
            progress.put(id, new Progress(nextIndex, !voters.contains(id), maxInflightMessages, maxInflightBytes));
        }
        indexProgress();
    }

    private void indexProgress() {
        progressIds = new long[progress.size()];
        progressById = new Progress[progress.size()];
        int i = 0;
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            progressIds[i] = e.getKey();
            progressById[i++] = e.getValue();
        }
    }

    public Progress progress(long id) {
        long[] ids = progressIds;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return progressById[i];
            }
        }
        return null;
    }

    public Map<Long, Progress> allProgress() {
        return progress;
    }

    /** The largest index a quorum of voters has acknowledged. */
    public long committed() {
        return voters.committedIndex(id -> {
            Progress p = progress(id);
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
