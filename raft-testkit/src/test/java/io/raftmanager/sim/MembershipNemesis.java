package io.raftmanager.sim;

import io.raftmanager.LeadershipTransferException;
import io.raftmanager.MembershipChangeException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.Role;
import io.raftmanager.core.confchange.ChangeResult;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.MembershipTransition;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** The simulator's cluster operations: membership changes and leadership transfers at random leaders. */
final class MembershipNemesis {
    private final List<SimNode> nodes;
    private final SimStats stats;
    private final Consumer<String> event;
    /** Mostly add and promote learners (and remove voters), so spares become voters often. */
    private final boolean joinerFocus;

    MembershipNemesis(List<SimNode> nodes, SimStats stats, Consumer<String> event, boolean joinerFocus) {
        this.nodes = nodes;
        this.stats = stats;
        this.event = event;
        this.joinerFocus = joinerFocus;
    }

    /**
     * A random cluster operation at a random leader: add a spare server as learner or voter,
     * promote a learner, remove a voter (often the leader itself), replace two voters at once through a
     * joint configuration, leave a joint configuration, or transfer leadership. Refusals (a change in
     * flight, a lagging learner, no live quorum) are expected and counted; a few changes are forced.
     */
    void run(SplittableRandom r, long now) {
        List<SimNode> leaders = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.isUp() && !n.isPaused(now) && n.raft.role() == Role.LEADER) {
                leaders.add(n);
            }
        }
        if (leaders.isEmpty()) {
            return;
        }
        SimNode leader = leaders.get(r.nextInt(leaders.size()));
        Membership m = leader.raft.membership();
        List<Long> voters = new ArrayList<>(m.getVotersList());
        List<Long> learners = new ArrayList<>(m.getLearnersList());
        List<Long> others = new ArrayList<>();
        for (SimNode n : nodes) {
            if (!ChangeResult.members(m).contains(n.id) && !m.getRemovedList().contains(n.id)) {
                others.add(n.id); // a spare never yet a member (removed ids are never reused)
            }
        }
        MembershipChange.Builder c = MembershipChange.newBuilder();
        String what;
        int op = joinerFocus ? new int[] {0, 1, 1, 2, 2, 4}[r.nextInt(6)] : r.nextInt(8);
        try {
            if (op == 0) {
                long to = voters.get(r.nextInt(voters.size()));
                what = "transfer leadership " + leader.id + " -> " + to;
                leader.raft.transferLeadership(to);
                event.accept(what);
                stats.transfers++;
                return;
            }
            if (m.getVotersOutgoingCount() > 0) {
                what = "leave joint";
            } else if (op == 1 && !others.isEmpty()) {
                long p = pick(r, others);
                c.addChanges(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER, p));
                what = "add learner " + p;
            } else if (op == 2 && !learners.isEmpty()) {
                long p = pick(r, learners);
                c.addChanges(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, p));
                what = "promote learner " + p;
            } else if (op == 3 && !others.isEmpty()) {
                long p = pick(r, others);
                c.addChanges(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, p));
                what = "add voter " + p;
            } else if ((op == 4 || op == 5) && voters.size() <= 3 && damagedServerRecovering()) {
                // The fault model: a damaged server stays a minority of every configuration until it has
                // recovered. In two voters it is half, and a joiner that lost its disk knows no
                // configuration to recover with (docs/storage-faults.md, "What it does not cover").
                return;
            } else if (op == 4 && voters.size() > 1) {
                long p = r.nextBoolean() ? leader.id : pick(r, voters);
                c.addChanges(change(PeerChangeType.PEER_CHANGE_TYPE_REMOVE, p));
                what = "remove voter " + p + (p == leader.id ? " (the leader)" : "");
            } else if (op == 5 && voters.size() > 1) {
                long p = pick(r, voters);
                c.addChanges(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER, p));
                what = "demote voter " + p;
            } else if (op >= 6 && voters.size() >= 2 && learners.size() + others.size() >= 2) {
                // Replace two voters (perhaps the leader) by two learners or outsiders: a joint change.
                List<Long> out = new ArrayList<>(voters);
                List<Long> in = new ArrayList<>(learners);
                in.addAll(others);
                for (int i = 0; i < 2; i++) {
                    c.addChanges(change(PeerChangeType.PEER_CHANGE_TYPE_REMOVE, out.remove(r.nextInt(out.size()))));
                    c.addChanges(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, in.remove(r.nextInt(in.size()))));
                }
                if (r.nextInt(3) == 0) {
                    c.setTransition(MembershipTransition.MEMBERSHIP_TRANSITION_JOINT_EXPLICIT);
                }
                what = "replace "
                        + c.getChangesList().stream()
                                .map(pc -> (pc.getType() == PeerChangeType.PEER_CHANGE_TYPE_REMOVE ? "-" : "+")
                                        + pc.getPeer())
                                .toList();
            } else {
                return;
            }
            // Forcing the leader out of a two-voter configuration can strand the other voter (a documented
            // limitation, see MembershipChangeException.Reason.LEADER_REMOVAL_FROM_TWO_VOTERS): not forced here.
            boolean force = r.nextInt(10) == 0
                    && !(voters.size() == 2 && what.contains("(the leader)"))
                    && !(voters.size() == 2 && what.equals("demote voter " + leader.id));
            EntryId id = leader.raft.proposeMembershipChange(c.build(), force);
            event.accept("leader " + leader.id + " proposes " + what + (force ? " (forced)" : "") + " at " + id);
            stats.membershipChanges++;
            if (what.contains("(the leader)")) {
                stats.leaderRemovals++;
            }
        } catch (MembershipChangeException | ProposalDroppedException | LeadershipTransferException e) {
            stats.refusedChanges++;
        }
    }

    private boolean damagedServerRecovering() {
        for (SimNode n : nodes) {
            if (n.damaged && (!n.isUp() || n.raft.recovery() != null)) {
                return true;
            }
        }
        return false;
    }

    private static long pick(SplittableRandom r, List<Long> ids) {
        return ids.get(r.nextInt(ids.size()));
    }

    private static PeerChange change(PeerChangeType type, long peer) {
        return PeerChange.newBuilder().setType(type).setPeer(peer).build();
    }
}
