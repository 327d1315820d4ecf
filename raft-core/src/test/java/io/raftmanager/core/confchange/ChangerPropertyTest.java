package io.raftmanager.core.confchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.raftmanager.MembershipChangeException;
import io.raftmanager.MembershipChangeException.Reason;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The {@link Changer} against a deliberately simple reference: a map from peer to role in C_new, with the
 * outgoing voters fixed. Each random case is drawn from a seed, so a failure names the seed.
 */
class ChangerPropertyTest {
    private enum RoleInNew {
        VOTER,
        LEARNER
    }

    /** A random non-joint configuration over peers 1..6, with at least one voter. */
    private static Membership randomSimple(SplittableRandom r) {
        Membership.Builder b = Membership.newBuilder();
        for (long p = 1; p <= 6; p++) {
            switch (r.nextInt(3)) {
                case 0 -> b.addVoters(p);
                case 1 -> b.addLearners(p);
                default -> {}
            }
        }
        if (b.getVotersCount() == 0) {
            b.addVoters(1 + r.nextInt(6));
            List<Long> learners = new ArrayList<>(b.getLearnersList());
            learners.removeAll(b.getVotersList());
            b.clearLearners().addAllLearners(learners);
        }
        return b.build();
    }

    /** Distinct peers, each with a valid change type. */
    private static List<PeerChange> randomChanges(SplittableRandom r) {
        List<Long> peers = new ArrayList<>(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L));
        List<PeerChange> out = new ArrayList<>();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            long p = peers.remove(r.nextInt(peers.size()));
            PeerChangeType t = PeerChangeType.forNumber(1 + r.nextInt(3));
            out.add(PeerChange.newBuilder().setType(t).setPeer(p).build());
        }
        return out;
    }

    /** The reference: roles in C_new after the changes, from the roles before. */
    private static Map<Long, RoleInNew> reference(Membership m, List<PeerChange> changes) {
        Map<Long, RoleInNew> roles = new HashMap<>();
        m.getVotersList().forEach(p -> roles.put(p, RoleInNew.VOTER));
        m.getLearnersList().forEach(p -> roles.put(p, RoleInNew.LEARNER));
        for (PeerChange c : changes) {
            switch (c.getType()) {
                case PEER_CHANGE_TYPE_ADD_VOTER -> roles.put(c.getPeer(), RoleInNew.VOTER);
                case PEER_CHANGE_TYPE_ADD_LEARNER -> roles.put(c.getPeer(), RoleInNew.LEARNER);
                default -> roles.remove(c.getPeer());
            }
        }
        return roles;
    }

    private static Set<Long> with(Map<Long, RoleInNew> roles, RoleInNew role) {
        Set<Long> s = new TreeSet<>();
        roles.forEach((p, r) -> {
            if (r == role) {
                s.add(p);
            }
        });
        return s;
    }

    @Test
    void jointThenLeaveMatchesTheReferenceModel() {
        qt().withExamples(2_000).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Membership m = randomSimple(r);
            List<PeerChange> changes = randomChanges(r);
            Map<Long, RoleInNew> want = reference(m, changes);
            Set<Long> voters = with(want, RoleInNew.VOTER);
            if (voters.isEmpty()) {
                MembershipChangeException e =
                        assertThrows(MembershipChangeException.class, () -> Changer.enterJoint(m, true, changes));
                assertEquals(Reason.NO_VOTERS, e.reason());
                return;
            }
            Membership joint = Changer.enterJoint(m, true, changes).membership();
            assertEquals(voters, new TreeSet<>(joint.getVotersList()), "seed " + seed);
            assertEquals(new TreeSet<>(m.getVotersList()), new TreeSet<>(joint.getVotersOutgoingList()));
            // A demoted voter of C_old waits in learners_next; every other learner is a learner at once.
            Set<Long> learners = with(want, RoleInNew.LEARNER);
            Set<Long> next = new TreeSet<>(learners);
            next.retainAll(m.getVotersList());
            assertEquals(next, new TreeSet<>(joint.getLearnersNextList()), "seed " + seed);
            Set<Long> now = new TreeSet<>(learners);
            now.removeAll(next);
            assertEquals(now, new TreeSet<>(joint.getLearnersList()), "seed " + seed);
            assertTrue(joint.getAutoLeave());
            Changer.checkInvariants(joint);

            Membership left = Changer.leaveJoint(joint).membership();
            assertEquals(voters, new TreeSet<>(left.getVotersList()));
            assertEquals(learners, new TreeSet<>(left.getLearnersList()));
            assertEquals(0, left.getVotersOutgoingCount() + left.getLearnersNextCount());
            assertTrue(!left.getAutoLeave());

            // A one-step change, where allowed, reaches the configuration the joint route leaves in.
            Set<Long> diff = new HashSet<>(voters);
            diff.addAll(m.getVotersList());
            Set<Long> both = new HashSet<>(voters);
            both.retainAll(m.getVotersList());
            diff.removeAll(both);
            if (diff.size() <= 1) {
                assertEquals(left, Changer.simple(m, changes).membership(), "seed " + seed);
            } else {
                MembershipChangeException e =
                        assertThrows(MembershipChangeException.class, () -> Changer.simple(m, changes));
                assertEquals(Reason.TOO_MANY_VOTER_CHANGES, e.reason());
            }
        });
    }

    @Test
    void addedAndRemovedAreTheMembershipDifference() {
        qt().withExamples(1_000).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Membership m = randomSimple(r);
            List<PeerChange> changes = randomChanges(r);
            if (with(reference(m, changes), RoleInNew.VOTER).isEmpty()) {
                return;
            }
            ChangeResult res = Changer.enterJoint(m, false, changes);
            Set<Long> before = ChangeResult.members(m);
            Set<Long> after = ChangeResult.members(res.membership());
            for (long p = 0; p <= 8; p++) {
                assertEquals(
                        !before.contains(p) && after.contains(p), res.added().contains(p));
                assertEquals(
                        before.contains(p) && !after.contains(p), res.removed().contains(p));
            }
        });
    }

    @Test
    void invalidChangeListsAreRejectedWithTheRuleNamed() {
        qt().withExamples(1_000).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Membership m = randomSimple(r);
            List<PeerChange> changes = new ArrayList<>(randomChanges(r));
            int kind = r.nextInt(3);
            PeerChange bad = switch (kind) {
                case 0 ->
                    PeerChange.newBuilder() // a peer named twice
                            .setType(PeerChangeType.PEER_CHANGE_TYPE_REMOVE)
                            .setPeer(changes.get(0).getPeer())
                            .build();
                case 1 ->
                    PeerChange.newBuilder()
                            .setType(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER)
                            .setPeer(0)
                            .build();
                default -> PeerChange.newBuilder().setPeer(9).build(); // no type
            };
            changes.add(r.nextInt(changes.size() + 1), bad);
            for (var attempt :
                    List.<Runnable>of(() -> Changer.enterJoint(m, true, changes), () -> Changer.simple(m, changes))) {
                MembershipChangeException e = assertThrows(MembershipChangeException.class, attempt::run);
                assertTrue(
                        e.reason() == Reason.INVALID_CHANGE
                                // the valid part may already break a rule checked later, never earlier
                                || e.reason() == Reason.TOO_MANY_VOTER_CHANGES
                                || e.reason() == Reason.NO_VOTERS,
                        e.getMessage());
            }
            // Joint rules: a joint configuration cannot be entered again, a simple one cannot be left.
            MembershipChangeException notJoint =
                    assertThrows(MembershipChangeException.class, () -> Changer.leaveJoint(m));
            assertEquals(Reason.NOT_JOINT, notJoint.reason());
        });
    }
}
