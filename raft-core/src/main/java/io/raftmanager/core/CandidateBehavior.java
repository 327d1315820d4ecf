package io.raftmanager.core;

import io.raftmanager.Role;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.core.quorum.VoteResult;
import io.raftmanager.proto.RaftMessage;

/** How a pre-candidate or candidate campaigns and counts votes (Raft §5.2, PreVote thesis §9.6). */
final class CandidateBehavior {
    private final Raft r;

    CandidateBehavior(Raft r) {
        this.r = r;
    }

    /**
     * Starts a (pre-)campaign: asks every voter for its vote. A pre-candidate counts its own pre-vote at
     * once (nothing needs persisting); a candidate counts its own vote only when {@link Raft#persisted}
     * reports its term and vote durable.
     */
    void campaign(boolean pre, boolean transfer) {
        long voteTerm;
        if (pre) {
            r.becomePreCandidate();
            voteTerm = r.term + 1;
        } else {
            r.becomeCandidate();
            voteTerm = r.term;
        }
        EntryId last = r.raftLog.lastEntryId();
        Raft.LOG.info("[{}] starts {}campaign for term {} with last entry {}", r.id, pre ? "pre-" : "", voteTerm, last);
        for (long peer : r.tracker.voterIds()) {
            if (peer != r.id) {
                // A real vote request goes out only once the new term and our self-vote are durable (Figure 2:
                // persist before answering or sending RPCs). Otherwise a candidate could win with the others'
                // votes alone, crash before its term was written, restart in the old term, and win the same
                // term again with a different log: two leaders of one term, found by the simulator (seed 1823
                // with spare servers). A pre-vote changes nothing and may go at once.
                r.send(Messages.voteRequest(r, peer, voteTerm, pre, transfer, last.index(), last.term()), !pre);
            }
        }
        if (pre) {
            recordVote(r.id, true);
        }
    }

    void step(RaftMessage m) {
        switch (m.getBodyCase()) {
            case VOTE_REQUEST -> VoteRequests.handle(r, m);
            case VOTE_RESPONSE -> {
                boolean pre = m.getVoteResponse().getPreVote();
                if (pre == (r.role == Role.PRE_CANDIDATE)) {
                    recordVote(m.getFrom(), m.getVoteResponse().getGranted());
                }
            }
            case APPEND_REQUEST, HEARTBEAT_REQUEST, INSTALL_SNAPSHOT_REQUEST -> {
                // A leader exists for this term (Raft §5.2): return to follower and let it handle the message.
                r.becomeFollower(r.term, m.getFrom());
                r.follower.step(m);
            }
            default -> Raft.LOG.debug("[{}] {} ignores {} from {}", r.id, r.role, m.getBodyCase(), m.getFrom());
        }
    }

    void recordVote(long from, boolean granted) {
        r.tracker.recordVote(from, granted);
        VoteResult result = r.tracker.tallyVotes();
        if (result == VoteResult.WON) {
            if (r.role == Role.PRE_CANDIDATE) {
                campaign(false, false);
            } else {
                r.becomeLeader();
            }
        } else if (result == VoteResult.LOST) {
            Raft.LOG.info(
                    "[{}] lost the {} at term {}",
                    r.id,
                    r.role == Role.PRE_CANDIDATE ? "pre-vote" : "election",
                    r.term);
            r.becomeFollower(r.term, 0);
        }
    }
}
