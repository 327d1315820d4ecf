package io.raftmanager.core.confchange;

import io.raftmanager.proto.Membership;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a membership change produces: the new configuration, and which peers the leader must start and
 * stop tracking (the members of {@code membership} that were not members before, and the reverse).
 *
 * @param membership the new configuration, normalised (lists sorted)
 * @param added members (voters or learners of either half) that were not members before
 * @param removed members before that are no longer members
 */
public record ChangeResult(Membership membership, Set<Long> added, Set<Long> removed) {
    static ChangeResult between(Membership before, Membership after) {
        Set<Long> was = members(before);
        Set<Long> now = members(after);
        TreeSet<Long> added = new TreeSet<>(now);
        added.removeAll(was);
        TreeSet<Long> removed = new TreeSet<>(was);
        removed.removeAll(now);
        return new ChangeResult(
                after, Collections.unmodifiableSortedSet(added), Collections.unmodifiableSortedSet(removed));
    }

    /** Every voter (of either half) and learner (including learners_next) of a configuration. */
    public static Set<Long> members(Membership m) {
        TreeSet<Long> all = new TreeSet<>(m.getVotersList());
        all.addAll(m.getVotersOutgoingList());
        all.addAll(m.getLearnersList());
        all.addAll(m.getLearnersNextList());
        return all;
    }
}
