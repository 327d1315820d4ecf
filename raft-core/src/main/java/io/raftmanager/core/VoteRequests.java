package io.raftmanager.core;

import io.raftmanager.Role;
import io.raftmanager.proto.RaftMessage;

/** The RequestVote receiver: whether to grant a vote or pre-vote. */
final class VoteRequests {
    private VoteRequests() {}

    /** A recovering server may have forgotten entries and votes: it answers every (pre-)vote with a refusal. */
    static void refuseWhileRecovering(Raft r, RaftMessage m) {
        boolean pre = m.getVoteRequest().getPreVote();
        Raft.LOG.debug("[{}] refuses {}vote to {}: {}", r.id, pre ? "pre-" : "", m.getFrom(), r.recovery.describe());
        // A refused vote counts at the candidate's term. A refused pre-vote carries our own term: ignored if
        // lower (the prospective term would depose the asker); if not lower, the asker takes it up, as from
        // any server, so its next pre-vote can be above our vote floor. Answering at the asker's own term
        // instead left a candidate whose term was at the floor asking forever (simulator JOINERS seed 246:
        // the only voter not recovering at term 1, the two recovering at term 2).
        long term = pre ? r.term : m.getTerm();
        r.send(Messages.voteResponse(r, m.getFrom(), term, pre, false), false);
    }

    /** Raft Figure 2 RequestVote receiver rules, shared by every role (plus PreVote, thesis §9.6). */
    static void handle(Raft r, RaftMessage m) {
        boolean pre = m.getVoteRequest().getPreVote();
        boolean canVote = r.vote == m.getFrom() || (r.vote == 0 && r.leaderId == 0) || (pre && m.getTerm() > r.term);
        boolean upToDate = r.raftLog.isUpToDate(
                m.getVoteRequest().getLastLogIndex(), m.getVoteRequest().getLastLogTerm());
        if (canVote && upToDate) {
            Raft.LOG.debug("[{}] grants {}vote to {} at term {}", r.id, pre ? "pre-" : "", m.getFrom(), m.getTerm());
            r.send(Messages.voteResponse(r, m.getFrom(), m.getTerm(), pre, true), true);
            if (!pre) {
                r.electionElapsed = 0;
                r.vote = m.getFrom();
            }
        } else {
            Raft.LOG.debug(
                    "[{}] rejects {}vote from {} at term {} (vote {}, leader {}, up to date {})",
                    r.id,
                    pre ? "pre-" : "",
                    m.getFrom(),
                    m.getTerm(),
                    r.vote,
                    r.leaderId,
                    upToDate);
            r.send(Messages.voteRefusal(r, m.getFrom(), r.term, pre), true);
        }
    }

    /**
     * Learns a commit index from a refused (pre-)vote, or from a (pre-)vote request: if this server holds
     * the entry the other has committed, its log matches up to there and is committed up to there. A fact,
     * valid whatever the terms of the two; a leader counts its own replicas instead. From a request, it lets
     * a server that has not applied the change making it a voter (its commit index lags) campaign with the
     * most up-to-date log, which the others' refusals would otherwise wait for forever (simulator JOINERS
     * seed 4256).
     */
    static void learnCommit(Raft r, RaftMessage m) {
        if (m.hasVoteRequest()) {
            learnCommit(r, m, m.getVoteRequest().getCommit(), m.getVoteRequest().getCommitTerm());
        } else {
            learnCommit(
                    r, m, m.getVoteResponse().getCommit(), m.getVoteResponse().getCommitTerm());
        }
    }

    private static void learnCommit(Raft r, RaftMessage m, long commit, long term) {
        if (r.role == Role.LEADER || commit <= r.raftLog.committed() || commit > r.raftLog.lastIndex()) {
            return;
        }
        if (r.raftLog.maybeCommit(commit, term)) {
            Raft.LOG.info("[{}] learns from {} that the log is committed up to {}", r.id, m.getFrom(), commit);
        }
    }
}
