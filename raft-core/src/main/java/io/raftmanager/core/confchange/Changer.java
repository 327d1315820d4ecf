package io.raftmanager.core.confchange;

import io.raftmanager.MembershipChangeException;
import io.raftmanager.MembershipChangeException.Reason;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.MembershipTransition;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Computes the configuration a membership change produces, without mutating anything: the caller swaps
 * the result in when the change's entry is applied. Every refusal is a {@link MembershipChangeException}
 * naming the rule broken.
 *
 * <p>The three transitions (Raft thesis §4.1 and §4.3):
 *
 * <ul>
 *   <li>{@link #simple}: a one-step change, allowed when at most one voter is added or removed, so that
 *       any majority of the old voters overlaps any majority of the new ones;
 *   <li>{@link #enterJoint}: C_old becomes {@code voters_outgoing}, the changes are applied to the
 *       incoming voters, and every decision needs a majority of both until the joint configuration is
 *       left;
 *   <li>{@link #leaveJoint}: drops the outgoing half and turns {@code learners_next} into learners.
 * </ul>
 *
 * <p>A voter of C_old demoted to learner cannot be a learner while it still votes in the outgoing half (a
 * peer is never both voter and learner), so it waits in {@code learners_next} until the joint
 * configuration is left. Example: from voters {1,2,3}, entering joint with "add learner 3, add voter 4"
 * gives voters {1,2,4}, voters_outgoing {1,2,3}, learners_next {3}; leaving gives voters {1,2,4},
 * learners {3}.
 *
 * <p>A peer that stops being a member (removed outright, or dropped from the outgoing half when a joint
 * configuration is left) gets a tombstone in {@code removed}, and a change that adds a tombstoned id is
 * refused ({@link Reason#REMOVED_PEER}): ids are never reused.
 *
 * <p>Results are normalised (every list sorted ascending), so equal configurations are equal messages.
 */
public final class Changer {
    private Changer() {}

    /**
     * The configuration produced by the change's transition: an empty change list leaves the joint
     * configuration; {@code AUTO} makes a one-step change when at most one voter changes and otherwise
     * enters a joint configuration that is left automatically; the {@code JOINT_*} transitions always
     * enter a joint configuration, left automatically ({@code IMPLICIT}) or on request ({@code EXPLICIT}).
     */
    public static ChangeResult apply(Membership current, MembershipChange change) {
        List<PeerChange> changes = change.getChangesList();
        if (changes.isEmpty()) {
            return leaveJoint(current);
        }
        MembershipTransition t = change.getTransition();
        return switch (t) {
            case MEMBERSHIP_TRANSITION_AUTO -> {
                if (!isJoint(current) && voterChanges(current, changes) <= 1) {
                    yield simple(current, changes);
                }
                yield enterJoint(current, true, changes);
            }
            case MEMBERSHIP_TRANSITION_JOINT_IMPLICIT -> enterJoint(current, true, changes);
            case MEMBERSHIP_TRANSITION_JOINT_EXPLICIT -> enterJoint(current, false, changes);
            default -> throw new MembershipChangeException(Reason.INVALID_CHANGE, "unknown transition " + t);
        };
    }

    /** A one-step change: at most one voter may be added or removed. */
    public static ChangeResult simple(Membership current, List<PeerChange> changes) {
        requireNotJoint(current);
        Working w = new Working(current);
        w.applyAll(changes);
        Set<Long> diff = symmetricDifference(new HashSet<>(current.getVotersList()), w.incoming);
        if (diff.size() > 1) {
            throw new MembershipChangeException(
                    Reason.TOO_MANY_VOTER_CHANGES,
                    "a one-step change may change at most one voter, this one changes " + new TreeSet<>(diff)
                            + "; use a joint change");
        }
        return w.finish(current, false);
    }

    /** Enters the joint configuration (C_old, C_new), where C_new is C_old with the changes applied. */
    public static ChangeResult enterJoint(Membership current, boolean autoLeave, List<PeerChange> changes) {
        requireNotJoint(current);
        if (current.getVotersCount() == 0) {
            throw new MembershipChangeException(Reason.NO_VOTERS, "cannot make a configuration without voters joint");
        }
        Working w = new Working(current);
        w.outgoing.addAll(current.getVotersList());
        w.applyAll(changes);
        return w.finish(current, autoLeave);
    }

    /** Leaves a joint configuration: C_new alone decides, and demoted voters become learners. */
    public static ChangeResult leaveJoint(Membership current) {
        if (!isJoint(current)) {
            throw new MembershipChangeException(
                    Reason.NOT_JOINT, "the configuration " + describe(current) + " is not joint");
        }
        Working w = new Working(current);
        w.learners.addAll(w.learnersNext);
        w.learnersNext.clear();
        w.outgoing.clear();
        return w.finish(current, false);
    }

    public static boolean isJoint(Membership m) {
        return m.getVotersOutgoingCount() > 0;
    }

    /** How many voters a change list would add or remove, ignoring learners. */
    static int voterChanges(Membership current, List<PeerChange> changes) {
        Working w = new Working(current);
        w.applyAll(changes);
        return symmetricDifference(new HashSet<>(current.getVotersList()), w.incoming)
                .size();
    }

    /** A compact description: {@code voters=[1, 2] outgoing=[1, 3] learners=[4] next=[3] auto}. */
    public static String describe(Membership m) {
        StringBuilder sb = new StringBuilder("voters=").append(new TreeSet<>(m.getVotersList()));
        if (m.getVotersOutgoingCount() > 0) {
            sb.append(" outgoing=").append(new TreeSet<>(m.getVotersOutgoingList()));
        }
        if (m.getLearnersCount() > 0) {
            sb.append(" learners=").append(new TreeSet<>(m.getLearnersList()));
        }
        if (m.getLearnersNextCount() > 0) {
            sb.append(" next=").append(new TreeSet<>(m.getLearnersNextList()));
        }
        if (m.getAutoLeave()) {
            sb.append(" auto");
        }
        if (m.getRemovedCount() > 0) {
            sb.append(" removed=").append(new TreeSet<>(m.getRemovedList()));
        }
        return sb.toString();
    }

    private static void requireNotJoint(Membership current) {
        if (isJoint(current)) {
            throw new MembershipChangeException(
                    Reason.ALREADY_JOINT,
                    "the configuration " + describe(current) + " is joint; leave it before changing again");
        }
    }

    private static Set<Long> symmetricDifference(Set<Long> a, Set<Long> b) {
        Set<Long> out = new HashSet<>(a);
        out.addAll(b);
        Set<Long> both = new HashSet<>(a);
        both.retainAll(b);
        out.removeAll(both);
        return out;
    }

    /** The mutable scratch copy a change is computed on; never escapes. */
    private static final class Working {
        final TreeSet<Long> incoming;
        final TreeSet<Long> outgoing;
        final TreeSet<Long> learners;
        final TreeSet<Long> learnersNext;
        final TreeSet<Long> removed;

        Working(Membership m) {
            incoming = new TreeSet<>(m.getVotersList());
            outgoing = new TreeSet<>(m.getVotersOutgoingList());
            learners = new TreeSet<>(m.getLearnersList());
            learnersNext = new TreeSet<>(m.getLearnersNextList());
            removed = new TreeSet<>(m.getRemovedList());
        }

        void applyAll(List<PeerChange> changes) {
            Set<Long> seen = new HashSet<>();
            for (PeerChange c : changes) {
                long peer = c.getPeer();
                if (peer == 0) {
                    throw new MembershipChangeException(Reason.INVALID_CHANGE, "peer id 0 is reserved");
                }
                if (!seen.add(peer)) {
                    throw new MembershipChangeException(
                            Reason.INVALID_CHANGE, "peer " + peer + " is named twice in one change");
                }
                boolean adds = c.getType() == PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER
                        || c.getType() == PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER;
                if (adds && removed.contains(peer)) {
                    throw new MembershipChangeException(
                            Reason.REMOVED_PEER,
                            "peer " + peer + " was removed from this group earlier; ids are never reused, give it a"
                                    + " new id");
                }
                switch (c.getType()) {
                    case PEER_CHANGE_TYPE_ADD_VOTER -> {
                        incoming.add(peer);
                        learners.remove(peer);
                        learnersNext.remove(peer);
                    }
                    case PEER_CHANGE_TYPE_ADD_LEARNER -> {
                        incoming.remove(peer);
                        learners.remove(peer);
                        learnersNext.remove(peer);
                        // Still a voter of C_old: it becomes a learner only once the joint config is left.
                        (outgoing.contains(peer) ? learnersNext : learners).add(peer);
                    }
                    case PEER_CHANGE_TYPE_REMOVE -> {
                        incoming.remove(peer);
                        learners.remove(peer);
                        learnersNext.remove(peer);
                    }
                    default ->
                        throw new MembershipChangeException(
                                Reason.INVALID_CHANGE, "peer " + peer + " has change type " + c.getType());
                }
            }
        }

        ChangeResult finish(Membership before, boolean autoLeave) {
            if (incoming.isEmpty()) {
                throw new MembershipChangeException(Reason.NO_VOTERS, "the change would remove every voter");
            }
            TreeSet<Long> gone = new TreeSet<>(ChangeResult.members(before));
            gone.removeAll(incoming);
            gone.removeAll(outgoing);
            gone.removeAll(learners);
            gone.removeAll(learnersNext);
            removed.addAll(gone);
            Membership after = Membership.newBuilder()
                    .addAllVoters(incoming)
                    .addAllVotersOutgoing(outgoing)
                    .addAllLearners(learners)
                    .addAllLearnersNext(learnersNext)
                    .setAutoLeave(autoLeave && !outgoing.isEmpty())
                    .addAllRemoved(removed)
                    .build();
            checkInvariants(after);
            return ChangeResult.between(before, after);
        }
    }

    /**
     * The invariants every configuration satisfies: voters and learners are disjoint, learners_next are
     * voters of the outgoing half only, and auto_leave only in a joint configuration. A violation is a bug.
     */
    static void checkInvariants(Membership m) {
        Set<Long> voters = new HashSet<>(m.getVotersList());
        voters.addAll(m.getVotersOutgoingList());
        for (long l : m.getLearnersList()) {
            if (voters.contains(l)) {
                throw new IllegalStateException("peer " + l + " is both voter and learner in " + describe(m));
            }
        }
        for (long l : m.getLearnersNextList()) {
            if (!m.getVotersOutgoingList().contains(l) || m.getVotersList().contains(l)) {
                throw new IllegalStateException(
                        "learner-next " + l + " is not an outgoing-only voter in " + describe(m));
            }
        }
        for (long r : m.getRemovedList()) {
            if (ChangeResult.members(m).contains(r)) {
                throw new IllegalStateException("removed peer " + r + " is a member again in " + describe(m));
            }
        }
        if (m.getAutoLeave() && m.getVotersOutgoingCount() == 0) {
            throw new IllegalStateException("auto_leave outside a joint configuration: " + describe(m));
        }
    }
}
