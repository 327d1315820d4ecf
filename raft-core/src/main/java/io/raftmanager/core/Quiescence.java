package io.raftmanager.core;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.core.confchange.Changer;
import io.raftmanager.core.tracker.ProgressState;
import io.raftmanager.proto.RaftMessage;

/**
 * When an idle group may stop ticking (CockroachDB's quiescence, TiKV's hibernating regions). A leader
 * with nothing in flight whose every member holds its whole log and commit index sends a last heartbeat
 * flagged {@code quiesce}; a follower whose log ends exactly at that commit index quiesces and says so in
 * its answer. A quiesced core asks for no ticks (the runtime stops calling {@link Raft#tick}), so an idle
 * group costs nothing. Every other input wakes it: a proposal, a read, a transfer, a membership change, or
 * any message but the quiesce heartbeat and its answer.
 *
 * <p>Safety: quiescence only withholds ticks. A follower counts no election time while quiesced, so it
 * refuses disruptive votes for at least as long as it would have; when the runtime wakes it because the
 * leader's node looks dead ({@link Raft#wake(long)}) it is credited the ticks the clock says it missed,
 * never more than an election timeout and one tick less than measured, which is what an unquiesced
 * follower that heard nothing would have counted.
 */
final class Quiescence {
    private final Raft r;
    private boolean quiesced;
    /**
     * The first clock reading after this core last quiesced or, as a follower, last heard its leader's
     * quiesce heartbeat: a reading taken after the message arrived, so never earlier than the leader's
     * round (the credit for missed ticks can then only be too small).
     */
    private long sinceNanos;

    private boolean awaitingClock;
    /** The heartbeat round that quiesced this core: answers to, and copies of, older rounds are stale. */
    private long round;
    /**
     * Planted bug, set only by tests (PlantedBugs): a leader quiesces with entries not yet committed or
     * replicated, and followers quiesce whatever their log holds. Never true otherwise.
     */
    boolean plantedQuiesceUncommitted;

    Quiescence(Raft r) {
        this.r = r;
    }

    boolean quiesced() {
        return quiesced;
    }

    /** Leader: quiesces the group if it is idle; returns whether it did. */
    boolean tryQuiesce() {
        if (quiesced || r.role != Role.LEADER || !(idle() || plantedQuiesceUncommitted)) {
            return false;
        }
        enter();
        r.leader.broadcastQuiesce();
        round = r.reads.latestSeq();
        return true;
    }

    /**
     * Leader: nothing in flight. The log is committed and durable up to its end (so the term's no-op is
     * committed), no read, transfer or configuration change is pending, and every member, voter or
     * learner, has the whole log (a member probed after a lost message may stay in PROBE with it).
     */
    private boolean idle() {
        long last = r.raftLog.lastIndex();
        if (r.leadTransferee != 0
                || !r.reads.idle()
                || r.leader.hasReadsAwaitingTermCommit()
                || r.raftLog.committed() != last
                || r.raftLog.lastStableIndex() != last
                || r.pendingConfigIndex > r.raftLog.applying()
                || r.reconfiguration.hasUnappliedCommittedConfig()
                || Changer.isJoint(r.membership)) {
            return false;
        }
        for (var e : r.tracker.allProgress().entrySet()) {
            if (e.getKey() != r.id
                    && (e.getValue().match() != last || e.getValue().state() == ProgressState.SNAPSHOT)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Follower, on a quiesce heartbeat of its leader (already applied: commit advanced): quiesces if its
     * log ends at the leader's commit index, which the leader sent as the end of its own log. Returns
     * whether it did, for the answer.
     */
    boolean onQuiesceHeartbeat(long leaderCommit, ByteString context) {
        boolean matches = r.raftLog.lastIndex() == leaderCommit && r.raftLog.committed() == leaderCommit;
        // A recovering follower still waiting for a voter's answer stays awake: asleep it would send no
        // more probes, and could stay unable to vote until the group next wakes.
        if ((matches && !r.recovery.awaitsAnswers()) || plantedQuiesceUncommitted) {
            enter(); // again if already quiesced: the leader was heard now
            round = ReadIndexTracker.decode(context);
            return true;
        }
        quiesced = false;
        return false;
    }

    /**
     * Whether {@code m} keeps a quiesced core asleep. Only messages of the current term that ask for
     * nothing new: the quiesce heartbeat and copies of older rounds (follower); a follower's answer that it
     * quiesced, answers to older rounds, and acknowledgements of entries already known held (leader). A
     * plain answer to the quiesce round is a refusal, and wakes the leader.
     */
    boolean keepsQuiescence(RaftMessage m) {
        if (m.getTerm() != r.term) {
            return false;
        }
        return switch (m.getBodyCase()) {
            case HEARTBEAT_REQUEST ->
                r.role == Role.FOLLOWER
                        && m.getFrom() == r.leaderId
                        && (m.getHeartbeatRequest().getQuiesce()
                                || olderRound(m.getHeartbeatRequest().getContext()));
            case HEARTBEAT_RESPONSE ->
                r.role == Role.LEADER
                        && (m.getHeartbeatResponse().getQuiesced()
                                || olderRound(m.getHeartbeatResponse().getContext()));
            case APPEND_RESPONSE ->
                r.role == Role.LEADER
                        && m.getAppendResponse().getSuccess()
                        && r.tracker.progress(m.getFrom()) != null
                        && m.getAppendResponse().getMatchIndex()
                                <= r.tracker.progress(m.getFrom()).match();
            default -> false;
        };
    }

    private boolean olderRound(ByteString context) {
        long seq = ReadIndexTracker.decode(context);
        return seq > 0 && seq < round;
    }

    /**
     * Wakes the core for {@code m}. A follower woken by anyone but its leader tells the leader, so that a
     * quiesced leader resumes its heartbeats before the follower's election timer runs out.
     */
    void wakeFor(RaftMessage m) {
        if (!quiesced) {
            return;
        }
        wake(false);
        if (r.role != Role.LEADER && r.leaderId != 0 && m.getFrom() != r.leaderId) {
            r.send(Messages.heartbeatResponse(r, r.leaderId, ByteString.EMPTY, false), false);
        }
    }

    /**
     * Wakes the core. A leader starts a heartbeat round at once so its followers wake too. With {@code
     * creditMissedTicks} (the runtime suspects the leader died), a follower is credited the election ticks
     * the clock says passed while it slept, and tells its leader it woke (if that leader lives, it answers
     * and the follower stays with it).
     */
    void wake(boolean creditMissedTicks) {
        if (!quiesced) {
            return;
        }
        quiesced = false;
        if (r.role == Role.LEADER) {
            r.heartbeatElapsed = 0;
            r.leader.broadcastHeartbeat();
            return;
        }
        if (creditMissedTicks && !awaitingClock) {
            long tickNanos = r.config.tickMillis() * 1_000_000L;
            long missed = (r.clockNanos - sinceNanos) / tickNanos - 1;
            if (missed > 0) {
                int credited = (int) Math.min(missed, r.config.electionTicks());
                r.electionElapsed = Math.max(r.electionElapsed, credited);
            }
            if (r.leaderId != 0) {
                r.send(Messages.heartbeatResponse(r, r.leaderId, ByteString.EMPTY, false), false);
            }
        }
    }

    /** Any change of role or term ends quiescence. */
    void reset() {
        quiesced = false;
        round = 0;
    }

    /** The runtime read its clock (after handing over the inputs it had). */
    void clockObserved(long nowNanos) {
        if (awaitingClock) {
            sinceNanos = nowNanos;
            awaitingClock = false;
        }
    }

    private void enter() {
        r.commitFlushDue = true; // no tick writes it while asleep
        quiesced = true;
        awaitingClock = true;
    }
}
