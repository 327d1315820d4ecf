package io.raftmanager.core;

import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.RaftMessage;
import org.slf4j.event.Level;

/** How a follower answers its leader (Raft Figure 2, AppendEntries receiver rules). */
final class FollowerBehavior {
    private final Raft r;
    /**
     * This server's log equals the log of leader {@link #matchedLeader} of term {@link #matchedTerm} up to
     * {@link #matchedUpTo}, as AppendEntries it accepted from that leader since it started showed. A commit
     * notice is trusted only that far: the leader's own idea of what this server holds may be stale (this
     * server may have lost its disk and restarted since).
     */
    private long matchedTerm;

    private long matchedLeader;
    private long matchedUpTo;

    FollowerBehavior(Raft r) {
        this.r = r;
    }

    void step(RaftMessage m) {
        switch (m.getBodyCase()) {
            case VOTE_REQUEST -> VoteRequests.handle(r, m);
            case APPEND_REQUEST -> {
                heardFromLeader(m);
                handleAppend(m);
            }
            case HEARTBEAT_REQUEST -> {
                heardFromLeader(m);
                handleHeartbeat(m);
            }
            case INSTALL_SNAPSHOT_REQUEST -> {
                heardFromLeader(m);
                r.snapshots.handleInstall(m);
            }
            case READ_INDEX_RESPONSE -> {
                if (m.getReadIndexResponse().getSuccess() && m.getFrom() == r.leaderId) {
                    r.addReadState(new ReadState(
                            m.getReadIndexResponse().getContext(),
                            m.getReadIndexResponse().getReadIndex()));
                }
            }
            case TIMEOUT_NOW -> {
                Raft.LOG.info("[{}] received TimeoutNow from {} at term {}: campaigning", r.id, m.getFrom(), r.term);
                r.startElection(true);
            }
            default -> Raft.LOG.debug("[{}] follower ignores {} from {}", r.id, m.getBodyCase(), m.getFrom());
        }
    }

    private void heardFromLeader(RaftMessage m) {
        r.electionElapsed = 0;
        r.leaderId = m.getFrom();
        // A leader of this term exists, so every lease of an earlier term has run out (its quorum refused
        // votes until it had); the lease of this term is the one leaderId now protects.
        r.honoursLeaseAfterRestart = false;
    }

    private void handleAppend(RaftMessage m) {
        AppendEntriesRequest a = m.getAppendRequest();
        r.recovery.onLeaderCommit(a.getLeaderCommit());
        long committed = r.raftLog.committed();
        if (a.getPrevLogIndex() < committed) {
            // Everything up to our commit index matches any leader's log (leader completeness, §5.4).
            matched(m, committed);
            r.send(Messages.appendAccept(r, m.getFrom(), committed), true);
            return;
        }
        long lastNew =
                r.raftLog.maybeAppend(a.getPrevLogIndex(), a.getPrevLogTerm(), a.getLeaderCommit(), a.getEntriesList());
        if (lastNew >= 0) {
            matched(m, lastNew);
            r.send(Messages.appendAccept(r, m.getFrom(), lastNew), true);
            return;
        }
        // Fast backtracking: point the leader at the last index whose term could still match.
        long hintIndex =
                r.raftLog.findConflictByTerm(Math.min(a.getPrevLogIndex(), r.raftLog.lastIndex()), a.getPrevLogTerm());
        long hintTerm = r.raftLog.termOrZero(hintIndex);
        Raft.LOG.debug(
                "[{}] rejects append at {}/{} from {}; hint {}/{}",
                r.id,
                a.getPrevLogTerm(),
                a.getPrevLogIndex(),
                m.getFrom(),
                hintTerm,
                hintIndex);
        r.send(Messages.appendReject(r, m.getFrom(), a.getPrevLogIndex(), hintIndex, hintTerm), true);
    }

    private void matched(RaftMessage m, long index) {
        if (matchedTerm != r.term || matchedLeader != m.getFrom()) {
            matchedTerm = r.term;
            matchedLeader = m.getFrom();
            matchedUpTo = 0;
        }
        matchedUpTo = Math.max(matchedUpTo, index);
    }

    /** A heartbeat without a read round and without a quiesce request: it only carries a new commit index. */
    private static boolean isCommitNotice(RaftMessage m) {
        return m.getHeartbeatRequest().getContext().isEmpty()
                && !m.getHeartbeatRequest().getQuiesce();
    }

    private void handleHeartbeat(RaftMessage m) {
        long commit = m.getHeartbeatRequest().getCommit();
        if (isCommitNotice(m)) {
            boolean sameLeader = matchedTerm == r.term && matchedLeader == m.getFrom();
            long trusted = Math.min(commit, sameLeader ? Math.min(matchedUpTo, r.raftLog.lastIndex()) : 0);
            r.raftLog.commitTo(trusted);
            return; // a commit notice confirms no read round: nothing to answer
        }
        if (commit > r.raftLog.lastIndex()) {
            // The leader only sends min(match, commit); anything larger is corrupt, not a reason to commit,
            // or, while recovering, the leader does not know yet that this server lost entries.
            Raft.LOG
                    .atLevel(r.recovery.active() ? Level.DEBUG : Level.WARN)
                    .log("[{}] ignores heartbeat commit {} beyond last index {}", r.id, commit, r.raftLog.lastIndex());
        } else {
            r.raftLog.commitTo(commit);
        }
        boolean quiesced = m.getHeartbeatRequest().getQuiesce()
                && r.quiescence.onQuiesceHeartbeat(
                        commit, m.getHeartbeatRequest().getContext());
        r.send(
                Messages.heartbeatResponse(
                        r, m.getFrom(), m.getHeartbeatRequest().getContext(), quiesced),
                true);
    }
}
