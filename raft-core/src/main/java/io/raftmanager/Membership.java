package io.raftmanager;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A Raft group's configuration: which servers vote and which only replicate. Immutable; the sets are
 * sorted and unmodifiable.
 *
 * <p>During a joint change (Raft thesis §4.3) a decision needs a majority of both {@link #voters()} (the
 * new voters) and {@link #outgoingVoters()} (the old ones); outside it, {@link #outgoingVoters()} is
 * empty.
 *
 * @param voters the servers whose votes and acknowledgements count (the incoming voters while joint)
 * @param learners servers that receive the log but do not vote
 * @param outgoingVoters while joint, the voters of the configuration being left; otherwise empty
 * @param learnersOnLeave while joint, the old voters that become learners once the joint configuration is
 *     left; otherwise empty
 */
public record Membership(
        SortedSet<Long> voters,
        SortedSet<Long> learners,
        SortedSet<Long> outgoingVoters,
        SortedSet<Long> learnersOnLeave) {

    /** Copies the sets, so that the record stays immutable whatever the caller does with its own. */
    public Membership {
        voters = copy(voters);
        learners = copy(learners);
        outgoingVoters = copy(outgoingVoters);
        learnersOnLeave = copy(learnersOnLeave);
    }

    /** A configuration of voters only, not joint. */
    public static Membership ofVoters(long... voters) {
        TreeSet<Long> v = new TreeSet<>();
        for (long id : voters) {
            v.add(id);
        }
        return new Membership(v, new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
    }

    /** Whether a joint change is in progress. */
    public boolean joint() {
        return !outgoingVoters.isEmpty();
    }

    /** Whether {@code id} votes, in either half of a joint configuration. */
    public boolean isVoter(long id) {
        return voters.contains(id) || outgoingVoters.contains(id);
    }

    /** Whether {@code id} is a member at all: a voter (in either half) or a learner. */
    public boolean contains(long id) {
        return isVoter(id) || learners.contains(id) || learnersOnLeave.contains(id);
    }

    private static SortedSet<Long> copy(Collection<Long> ids) {
        return Collections.unmodifiableSortedSet(ids == null ? new TreeSet<>() : new TreeSet<>(ids));
    }
}
