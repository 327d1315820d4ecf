package io.raftmanager;

import java.util.List;

/**
 * A requested change of a group's {@link Membership}, for {@link RaftNode#changeMembership}. Most callers
 * use the one-server factories ({@link #addLearner}, {@link #promote}, {@link #remove}) or the {@link
 * RaftNode} conveniences of the same names; {@link #of} changes several servers at once through a joint
 * configuration.
 *
 * @param changes what happens to each server; empty only for {@link #leaveJoint()}
 * @param transition how the group moves to the new configuration
 */
public record MembershipChange(List<PeerChange> changes, Transition transition) {
    /** How a group moves from the old configuration to the new one. */
    public enum Transition {
        /**
         * One step when at most one voter changes (always safe: any majority of the old and new voters
         * overlap); otherwise a joint configuration that is left automatically once it commits.
         */
        AUTO,
        /** Always through a joint configuration, left automatically once it commits. */
        JOINT_AUTO_LEAVE,
        /**
         * Always through a joint configuration that stays until the caller leaves it with {@link
         * #leaveJoint()}: for operators who check the joint state before completing.
         */
        JOINT_EXPLICIT_LEAVE
    }

    /** Validates and copies the fields. */
    public MembershipChange {
        if (transition == null) {
            throw new IllegalArgumentException("transition is required");
        }
        changes = List.copyOf(changes);
    }

    /** Adds {@code peer} as a learner: it receives the log but does not vote until {@link #promote promoted}. */
    public static MembershipChange addLearner(long peer) {
        return new MembershipChange(List.of(PeerChange.addLearner(peer)), Transition.AUTO);
    }

    /**
     * Makes learner {@code peer} a voter; refused with {@link MembershipChangeException} until it has caught
     * up to within {@link RaftConfig#learnerCatchUpMarginEntries()} of the leader.
     */
    public static MembershipChange promote(long peer) {
        return new MembershipChange(List.of(PeerChange.addVoter(peer)), Transition.AUTO);
    }

    /**
     * Makes {@code peer} a voter in one step: the same change as {@link #promote}. A server that has not yet
     * acknowledged any entry (a brand-new one) is refused with {@link
     * MembershipChangeException.Reason#VOTER_NOT_ACKNOWLEDGED} while {@link RaftConfig#storageRecovery()} is
     * on (the default): {@link #addLearner} it first, then promote it.
     */
    public static MembershipChange addVoter(long peer) {
        return new MembershipChange(List.of(PeerChange.addVoter(peer)), Transition.AUTO);
    }

    /** Removes {@code peer} from the group, voter or learner. */
    public static MembershipChange remove(long peer) {
        return new MembershipChange(List.of(PeerChange.remove(peer)), Transition.AUTO);
    }

    /** Several servers at once, moving by {@code transition} (joint consensus when more than one voter changes). */
    public static MembershipChange of(Transition transition, PeerChange... changes) {
        if (changes.length == 0) {
            throw new IllegalArgumentException("at least one change is required; use leaveJoint() to leave");
        }
        return new MembershipChange(List.of(changes), transition);
    }

    /** Leaves a joint configuration entered with {@link Transition#JOINT_EXPLICIT_LEAVE}. */
    public static MembershipChange leaveJoint() {
        return new MembershipChange(List.of(), Transition.AUTO);
    }
}
