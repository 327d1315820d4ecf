package io.raftmanager.core;

import io.raftmanager.proto.RaftMessage;

/**
 * The checks every message passes before its role sees it: whether its sender may send it given the
 * configuration, and what a higher or lower term than ours means (Raft §5.1, thesis §4.2.3 and §9.6).
 */
final class Admission {
    private final Raft r;

    Admission(Raft r) {
        this.r = r;
    }

    /**
     * Membership rules for senders: (pre)vote requests from non-members are ignored so removed servers
     * cannot disrupt the cluster (thesis §4.2.3), and so is TimeoutNow unless it comes from the leader this
     * server follows in this term (a removed leader handing off). Leader traffic from a non-member is
     * accepted: it may lead a configuration this server has not applied yet. Responses from non-members
     * are ignored: they come from servers removed since the request went out (or that this server has
     * not yet learned were added), which is normal while the configuration changes.
     */
    boolean admitSender(RaftMessage m) {
        boolean joining = !r.tracker.hasMembers();
        if (joining || r.tracker.isMember(m.getFrom())) {
            return true;
        }
        switch (m.getBodyCase()) {
            case TIMEOUT_NOW -> {
                // A removed leader hands leadership to a voter of the configuration that removed it.
                boolean fromOurLeader = m.getTerm() == r.term && m.getFrom() == r.leaderId;
                if (!fromOurLeader) {
                    Raft.LOG.info("[{}] ignoring {} from non-member {}", r.id, m.getBodyCase(), m.getFrom());
                }
                return fromOurLeader;
            }
            case VOTE_REQUEST -> {
                Raft.LOG.info("[{}] ignoring {} from non-member {}", r.id, m.getBodyCase(), m.getFrom());
                return false;
            }
            case APPEND_REQUEST, HEARTBEAT_REQUEST, INSTALL_SNAPSHOT_REQUEST -> {
                return true;
            }
            default -> {
                Raft.LOG.debug("[{}] ignoring {} from non-member {}", r.id, m.getBodyCase(), m.getFrom());
                return false;
            }
        }
    }

    /** Returns whether the message should still be processed. */
    boolean onHigherTerm(RaftMessage m) {
        boolean voteRequest = m.hasVoteRequest();
        if (voteRequest) {
            boolean transfer = m.getVoteRequest().getLeadershipTransfer();
            boolean heardLeader = r.leaderId != 0 && r.electionElapsed < r.config.electionTicks();
            // The leader itself asking has given up leading (a stepped-down leader campaigns): it has no
            // lease left to protect, and refusing it would cost the cluster an extra election timeout.
            boolean fromOwnLeader = m.getFrom() == r.leaderId;
            boolean inLease = r.config.checkQuorum() && ((heardLeader && !fromOwnLeader) || r.honoursLeaseAfterRestart);
            if (inLease && !transfer) {
                // Thesis §4.2.3: a server that heard from a live leader ignores disruptive vote requests.
                Raft.LOG.debug(
                        "[{}] ignoring {}vote from {} at r.term {}: leader {} is live",
                        r.id,
                        m.getVoteRequest().getPreVote() ? "pre-" : "",
                        m.getFrom(),
                        m.getTerm(),
                        r.leaderId);
                return false;
            }
        }
        if (voteRequest && m.getVoteRequest().getPreVote()) {
            return true; // a pre-vote never changes our term
        }
        if (m.hasVoteResponse()
                && m.getVoteResponse().getPreVote()
                && m.getVoteResponse().getGranted()) {
            return true; // granted for our prospective term; the term rises when we campaign for real
        }
        boolean fromLeader = m.hasAppendRequest() || m.hasHeartbeatRequest() || m.hasInstallSnapshotRequest();
        Raft.LOG.info("[{}] r.term {} -> {} on {} from {}", r.id, r.term, m.getTerm(), m.getBodyCase(), m.getFrom());
        r.becomeFollower(m.getTerm(), fromLeader ? m.getFrom() : 0);
        return true;
    }

    void onLowerTerm(RaftMessage m) {
        if (m.hasAppendRequest() || m.hasHeartbeatRequest()) {
            // A stale leader (e.g. one cut off and healed) learns the current term from this answer and
            // steps down (Raft Figure 2: the reply carries currentTerm). Without it, with PreVote or
            // CheckQuorum it might never hear a higher term; and without either, a voter whose
            // configuration is stale (it missed the change that added the leader's other voters) would
            // campaign forever at rising terms among servers that cannot elect it, ignoring the leader.
            r.send(Messages.appendRejectStale(r, m.getFrom()), false);
        } else if (m.hasVoteRequest() && m.getVoteRequest().getPreVote()) {
            // Tell a pre-candidate with a stale term about ours, so it can catch up instead of retrying forever.
            r.send(Messages.voteRefusal(r, m.getFrom(), r.term, true), false);
        } else {
            Raft.LOG.debug(
                    "[{}] ignoring {} from {} at stale r.term {} < {}",
                    r.id,
                    m.getBodyCase(),
                    m.getFrom(),
                    m.getTerm(),
                    r.term);
        }
    }
}
