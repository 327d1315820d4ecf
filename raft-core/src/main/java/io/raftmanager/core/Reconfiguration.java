package io.raftmanager.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmanager.MembershipChangeException;
import io.raftmanager.MembershipChangeException.Reason;
import io.raftmanager.Role;
import io.raftmanager.core.confchange.ChangeResult;
import io.raftmanager.core.confchange.Changer;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.core.quorum.JointConfig;
import io.raftmanager.core.quorum.MajorityConfig;
import io.raftmanager.core.quorum.VoteResult;
import io.raftmanager.core.tracker.Progress;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Membership changes in the core: proposing them (leader), and applying committed configuration
 * entries (every server).
 *
 * <p><b>A configuration takes effect when its entry is applied</b> (etcd's model), which here means when
 * the core hands the entry out in {@link Ready#entriesToApply()}: the core switches its own tracker there,
 * so no runtime can forget to, and reports the new configuration in {@link Ready#membership()}. Because
 * only committed entries take effect, a truncated configuration entry never took effect and nothing has to
 * be undone. Three rules make the apply-time model safe (etcd-io/etcd#7625 discusses why each is needed):
 *
 * <ol>
 *   <li>a leader appends a configuration entry only when every earlier one has been applied, and only
 *       once an entry of its own term has committed (otherwise two leaders of successive terms could each
 *       append a different uncommitted change whose quorums do not overlap: the single-server change bug);
 *   <li>a server does not campaign while a committed configuration entry is not yet applied (M3);
 *   <li>a server that appends a configuration entry durably knows every earlier one committed: the leader
 *       sends its commit index (which covers them, by rule 1) with the entries, and the follower persists
 *       the commit index in the same atomic write as the entries. So a server whose log holds C_new has
 *       at least applied C_old,new before it can campaign, and needs a quorum of C_new to win.
 * </ol>
 */
final class Reconfiguration {
    private final Raft r;

    Reconfiguration(Raft r) {
        this.r = r;
    }

    // ---------------------------------------------------------------------------------------------
    // Proposing (leader)

    EntryId propose(MembershipChange change, boolean force) {
        if (change.hasResulting()) {
            throw new MembershipChangeException(
                    Reason.INVALID_CHANGE, "the resulting configuration is set by the leader, not the caller");
        }
        requireNoChangeInFlight();
        ChangeResult result = Changer.apply(r.membership, change);
        checkPromotions(change);
        requireAcknowledgedVoters(result.membership());
        if (!force) {
            preflight(result.membership());
        }
        return append(change, result.membership());
    }

    private void requireNoChangeInFlight() {
        if (r.pendingConfigIndex > r.raftLog.applying()) {
            throw new MembershipChangeException(
                    Reason.CHANGE_IN_PROGRESS,
                    "the change at index " + r.pendingConfigIndex + " is not applied yet (applied "
                            + r.raftLog.applying() + ")");
        }
        long committed = r.raftLog.committed();
        if (r.raftLog.termOrZero(committed) != r.term) {
            throw new MembershipChangeException(
                    Reason.LEADER_NOT_READY,
                    "no entry of term " + r.term + " is committed yet (commit " + committed + ")");
        }
    }

    /** A learner becomes a voter only once its log is within the configured margin of the leader's. */
    private void checkPromotions(MembershipChange change) {
        long last = r.raftLog.lastIndex();
        for (PeerChange c : change.getChangesList()) {
            if (c.getType() != PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER || !isLearner(c.getPeer())) {
                continue;
            }
            Progress pr = r.tracker.progress(c.getPeer());
            long match = pr == null ? 0 : pr.match();
            if (match == 0 || match + r.config.learnerCatchUpMarginEntries() < last) {
                throw new MembershipChangeException(
                        Reason.LEARNER_LAGGING,
                        "learner " + c.getPeer() + " has " + match + " of " + last + " entries; margin is "
                                + r.config.learnerCatchUpMarginEntries());
            }
        }
    }

    /**
     * A server becomes a voter only once it has durably acknowledged part of this leader's log (match above
     * 0), forced or not. So a server asked for a vote while its disk is blank and it knows no configuration
     * is a voter that lost its disk after joining, never a new one, and it refuses (see {@code
     * Recovery.mayVote}); without this rule that refusal could leave a fresh joiner's vote missing where a
     * configuration needs it. Only with storage recovery on: without it a blank server votes as plain Raft.
     */
    private void requireAcknowledgedVoters(Membership next) {
        if (!r.config.storageRecovery() || plantedBlankVoters) {
            return;
        }
        for (long v : ChangeResult.members(next)) {
            boolean becomesVoter = (next.getVotersList().contains(v)
                            || next.getVotersOutgoingList().contains(v))
                    && !r.tracker.voters().contains(v);
            if (!becomesVoter || v == r.id) {
                continue;
            }
            Progress pr = r.tracker.progress(v);
            if (pr == null || pr.match() == 0) {
                throw new MembershipChangeException(
                        Reason.VOTER_NOT_ACKNOWLEDGED,
                        "server " + v + " has not acknowledged any entry yet (match 0), so it cannot become a voter;"
                                + " add it as a learner first and promote it once it has caught up");
            }
        }
    }

    /** Planted bug, set only by tests: lets a server that acknowledged nothing become a voter. */
    boolean plantedBlankVoters;

    private boolean isLearner(long peer) {
        return r.membership.getLearnersList().contains(peer)
                || r.membership.getLearnersNextList().contains(peer);
    }

    /**
     * Refuses a configuration whose voters (both halves, if joint) do not include a quorum that is live
     * (heard from within the last election timeout, or the leader itself) and caught up (within the
     * learner margin of the last index). Without this, a change can strand the cluster: replacing peers
     * with servers that are down or empty leaves no quorum able to commit anything, including the undo.
     */
    private void preflight(Membership next) {
        if (r.membership.getVotersCount() == 2
                && r.membership.getVotersOutgoingCount() == 0
                && !next.getVotersList().contains(r.id)) {
            throw new MembershipChangeException(
                    Reason.LEADER_REMOVAL_FROM_TWO_VOTERS,
                    "removing leader " + r.id + " from " + Changer.describe(r.membership)
                            + " could strand the other voter; transfer leadership first, or force");
        }
        long last = r.raftLog.lastIndex();
        Map<Long, Boolean> ready = new HashMap<>();
        JointConfig voters = new JointConfig(
                new MajorityConfig(new HashSet<>(next.getVotersList())),
                new MajorityConfig(new HashSet<>(next.getVotersOutgoingList())));
        for (long v : voters.ids()) {
            Progress pr = r.tracker.progress(v);
            // match 0 is never caught up, however short the log: such a server has acknowledged nothing.
            boolean ok = v == r.id
                    || (pr != null
                            && pr.recentActive()
                            && pr.match() > 0
                            && pr.match() + r.config.learnerCatchUpMarginEntries() >= last);
            ready.put(v, ok);
        }
        if (voters.voteResult(ready) != VoteResult.WON) {
            throw new MembershipChangeException(
                    Reason.NO_LIVE_QUORUM,
                    "the configuration " + Changer.describe(next) + " would have no live, caught-up quorum "
                            + "(live and caught up: " + ready + "); add the new servers as learners first, or force");
        }
    }

    private EntryId append(MembershipChange change, Membership resulting) {
        ByteString data = change.toBuilder().setResulting(resulting).build().toByteString();
        EntryId id =
                r.appendOwn(List.of(data), EntryType.ENTRY_TYPE_CONFIGURATION).get(0);
        r.pendingConfigIndex = id.index();
        Raft.LOG.info("[{}] proposes membership {} at {}", r.id, Changer.describe(resulting), id);
        r.leader.broadcastAppend();
        return id;
    }

    /**
     * A leader in a joint configuration with auto_leave appends the entry that leaves it, once the joint
     * configuration is applied and the leader may propose (rules 1 above); called after every apply.
     */
    void maybeAutoLeave() {
        Membership m = r.membership;
        if (r.role != Role.LEADER || !m.getAutoLeave() || !Changer.isJoint(m) || r.leadTransferee != 0) {
            return;
        }
        if (r.pendingConfigIndex > r.raftLog.applying() || r.raftLog.termOrZero(r.raftLog.committed()) != r.term) {
            return;
        }
        Raft.LOG.info("[{}] leaves the joint configuration automatically", r.id);
        append(MembershipChange.getDefaultInstance(), Changer.leaveJoint(m).membership());
    }

    // ---------------------------------------------------------------------------------------------
    // Applying (every server)

    /** Applies the configuration entries among {@code toApply}; returns whether the membership changed. */
    boolean applyEntries(List<Entry> toApply) {
        boolean changed = false;
        for (Entry e : toApply) {
            if (e.getType() == EntryType.ENTRY_TYPE_CONFIGURATION) {
                apply(e);
                changed = true;
            }
        }
        return changed;
    }

    private void apply(Entry e) {
        MembershipChange change;
        try {
            change = MembershipChange.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("committed configuration entry " + EntryId.of(e) + " is corrupt", ex);
        }
        Membership next;
        if (ChangeResult.members(r.membership).isEmpty()) {
            // A server joining with no configuration adopts the one the leader computed.
            next = change.getResulting();
        } else {
            next = Changer.apply(r.membership, change).membership();
            if (change.hasResulting() && !next.equals(change.getResulting())) {
                throw new IllegalStateException("[" + r.id + "] configuration entry " + EntryId.of(e) + " produces "
                        + Changer.describe(change.getResulting()) + " at the leader but "
                        + Changer.describe(next) + " here, from " + Changer.describe(r.membership));
            }
        }
        switchTo(next, e.getIndex());
    }

    private void switchTo(Membership next, long index) {
        Raft.LOG.info("[{}] applies membership {} at index {}", r.id, Changer.describe(next), index);
        r.previousMembership = r.membership;
        r.previousMembershipIndex = r.membershipIndex;
        r.membership = next;
        r.membershipIndex = index;
        r.tracker = r.tracker.withMembership(
                next, r.raftLog.lastIndex() + 1, r.config.maxInflightMessages(), r.config.maxInflightBytes());
        if (r.role == Role.LEADER) {
            r.leader.onMembershipChanged();
            if (!r.tracker.isVoter(r.id)) {
                // Thesis §4.2.2: the leader managed C_new without counting itself until C_new committed. It
                // must not simply step down now: the voters of C_new may not know yet that C_new committed,
                // and would then campaign in the old configuration, needing the votes of servers that no
                // longer campaign (a removed server never does). It keeps replicating, refuses proposals,
                // and hands leadership to the most up-to-date voter of C_new.
                Raft.LOG.info("[{}] is no longer a voter at index {}: handing off leadership", r.id, index);
                r.leader.handOff();
            } else if (r.leadTransferee != 0 && !r.tracker.voters().incoming().contains(r.leadTransferee)) {
                r.leader.abortTransfer("the target is no longer a voter");
            }
        } else if (r.role != Role.FOLLOWER && !r.tracker.isVoter(r.id)) {
            r.becomeFollower(r.term, 0);
        }
    }

    /**
     * Whether a committed configuration entry has not been applied yet: such a server must not campaign
     * (M3, etcd-io/raft#234), since it would count votes in a configuration that is no longer current.
     */
    boolean hasUnappliedCommittedConfig() {
        long from = r.raftLog.applying() + 1;
        long to = r.raftLog.committed();
        while (from <= to) {
            List<Entry> batch = r.raftLog.slice(from, to + 1, r.config.maxApplyBytes());
            for (Entry e : batch) {
                if (e.getType() == EntryType.ENTRY_TYPE_CONFIGURATION) {
                    return true;
                }
            }
            from = batch.get(batch.size() - 1).getIndex() + 1;
        }
        return false;
    }
}
