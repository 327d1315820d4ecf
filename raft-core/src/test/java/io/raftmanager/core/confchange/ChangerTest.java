package io.raftmanager.core.confchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.raftmanager.MembershipChangeException;
import io.raftmanager.MembershipChangeException.Reason;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.MembershipTransition;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Changer's rules, one table row each: {@code v4} adds voter 4, {@code l4} learner 4, {@code r4} removes 4. */
class ChangerTest {
    private static final Membership V123 =
            Membership.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();

    private static MembershipChange change(MembershipTransition t, String... words) {
        List<PeerChange> list = new ArrayList<>();
        for (String w : words) {
            PeerChangeType type = switch (w.charAt(0)) {
                case 'v' -> PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER;
                case 'l' -> PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER;
                default -> PeerChangeType.PEER_CHANGE_TYPE_REMOVE;
            };
            list.add(PeerChange.newBuilder()
                    .setType(type)
                    .setPeer(Long.parseLong(w.substring(1)))
                    .build());
        }
        return MembershipChange.newBuilder()
                .addAllChanges(list)
                .setTransition(t)
                .build();
    }

    private static String apply(Membership m, MembershipTransition t, String... words) {
        return Changer.describe(Changer.apply(m, change(t, words)).membership());
    }

    private static Reason refused(Membership m, MembershipTransition t, String... words) {
        return assertThrows(MembershipChangeException.class, () -> Changer.apply(m, change(t, words)))
                .reason();
    }

    private static final MembershipTransition AUTO = MembershipTransition.MEMBERSHIP_TRANSITION_AUTO;
    private static final MembershipTransition EXPLICIT = MembershipTransition.MEMBERSHIP_TRANSITION_JOINT_EXPLICIT;

    @Test
    void autoMakesOneStepChangesWhenOneVoterChanges() {
        assertEquals("voters=[1, 2, 3, 4]", apply(V123, AUTO, "v4"));
        assertEquals("voters=[1, 2] removed=[3]", apply(V123, AUTO, "r3"));
        assertEquals("voters=[1, 2, 3] learners=[4, 5]", apply(V123, AUTO, "l4", "l5"));
        assertEquals("voters=[1, 2] learners=[3]", apply(V123, AUTO, "l3"));
    }

    @Test
    void autoEntersAJointConfigurationLeftAutomaticallyWhenSeveralVotersChange() {
        assertEquals("voters=[1, 4, 5] outgoing=[1, 2, 3] auto", apply(V123, AUTO, "v4", "v5", "r2", "r3"));
    }

    @Test
    void demotedVotersWaitInLearnersNextUntilTheJointConfigurationIsLeft() {
        Membership joint = Changer.apply(V123, change(EXPLICIT, "l3", "v4")).membership();
        assertEquals("voters=[1, 2, 4] outgoing=[1, 2, 3] next=[3]", Changer.describe(joint));
        assertEquals(
                "voters=[1, 2, 4] learners=[3]",
                Changer.describe(Changer.leaveJoint(joint).membership()));
    }

    @Test
    void rulesAreEnforced() {
        Membership joint = Changer.apply(V123, change(EXPLICIT, "v4", "r1")).membership();
        assertEquals(Reason.ALREADY_JOINT, refused(joint, AUTO, "v5"));
        assertEquals(Reason.NOT_JOINT, refused(V123, AUTO));
        assertEquals(Reason.NO_VOTERS, refused(V123, EXPLICIT, "r1", "r2", "r3"));
        assertEquals(
                Reason.NO_VOTERS, refused(Membership.newBuilder().addVoters(1).build(), AUTO, "r1"));
        assertEquals(Reason.INVALID_CHANGE, refused(V123, AUTO, "v4", "r4"));
        assertEquals(Reason.INVALID_CHANGE, refused(V123, AUTO, "v0"));
        MembershipChangeException e = assertThrows(
                MembershipChangeException.class,
                () -> Changer.simple(V123, change(AUTO, "v4", "v5").getChangesList()));
        assertEquals(Reason.TOO_MANY_VOTER_CHANGES, e.reason());
    }

    @Test
    void aPeerIsNeverBothVoterAndLearner() {
        Membership m = Changer.apply(V123, change(AUTO, "l4")).membership();
        assertEquals("voters=[1, 2, 3, 4]", apply(m, AUTO, "v4"));
        assertEquals("voters=[1, 2] learners=[3, 4]", apply(m, AUTO, "l3"));
    }

    /** Issue 17: a removed id keeps a tombstone, and adding it again is refused, as voter or learner. */
    @Test
    void aRemovedIdIsTombstonedAndNeverAddedAgain() {
        Membership without3 = Changer.apply(V123, change(AUTO, "r3")).membership();
        assertEquals(List.of(3L), without3.getRemovedList());
        assertEquals(Reason.REMOVED_PEER, refused(without3, AUTO, "v3"));
        assertEquals(Reason.REMOVED_PEER, refused(without3, AUTO, "l3"));
        assertEquals(Reason.REMOVED_PEER, refused(without3, EXPLICIT, "v3", "v4"));
        assertEquals("voters=[1, 2, 4] removed=[3]", apply(without3, AUTO, "v4"), "tombstones are kept");
    }

    @Test
    void aVoterLeavingThroughAJointConfigurationIsTombstonedWhenItIsLeft() {
        Membership joint = Changer.apply(V123, change(EXPLICIT, "r3", "v4")).membership();
        assertEquals(List.of(), joint.getRemovedList(), "still an outgoing voter");
        Membership left = Changer.leaveJoint(joint).membership();
        assertEquals(List.of(3L), left.getRemovedList());
        Membership demoted = Changer.apply(left, change(AUTO, "l2")).membership();
        assertEquals(List.of(3L), demoted.getRemovedList(), "a learner is still a member");
        assertEquals(
                List.of(2L, 3L),
                Changer.apply(demoted, change(AUTO, "r2")).membership().getRemovedList());
    }
}
