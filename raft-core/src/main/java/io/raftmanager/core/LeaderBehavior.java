package io.raftmanager.core;

import com.google.protobuf.ByteString;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.core.tracker.Progress;
import io.raftmanager.core.tracker.ProgressState;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.LogCompactedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a leader replicates, commits and keeps its authority: pipelined AppendEntries within each
 * follower's inflight window, commit by counting only current-term entries (Raft §5.4.2), heartbeats
 * carrying a safe commit index, and CheckQuorum (thesis §6.2).
 */
final class LeaderBehavior {
    private final Raft r;
    /** Reads that arrived before this term's first entry committed. */
    private final List<ReadIndexTracker.Request> awaitingTermCommit = new ArrayList<>();
    /** The voters that answered since the current leadership transfer started. */
    private final Set<Long> heardDuringTransfer = new HashSet<>();
    /**
     * Planted bug, set only by tests (PlantedBugs) to prove the simulator catches it: answer ReadIndex at
     * once, without the heartbeat round that confirms this server still leads. Never true otherwise.
     */
    boolean plantedReadWithoutRound;
    /**
     * Planted bug, set only by tests (PlantedBugs): judge the lease on counted ticks instead of the clock
     * reading that came with the read, as the runtime did when it drained reads before catching up ticks.
     */
    boolean plantedLeaseOnTicks;

    LeaderBehavior(Raft r) {
        this.r = r;
    }

    /** Called once by {@link Raft#becomeLeader()}. */
    void onElected() {
        awaitingTermCommit.clear();
        Progress self = r.tracker.progress(r.id);
        self.becomeReplicate();
        self.maybeUpdate(r.raftLog.lastStableIndex());
        // Entries of earlier terms may hold configuration changes not applied yet: no new change until they
        // are (rule 1 in Reconfiguration).
        r.pendingConfigIndex = r.raftLog.lastIndex();
        // A no-op in the new term lets the leader commit everything before it (Raft §5.4.2, §8).
        r.appendOwn(List.of(ByteString.EMPTY), EntryType.ENTRY_TYPE_NO_OP);
        broadcastAppend();
    }

    List<EntryId> propose(List<ByteString> commands, List<EntryType> types) {
        List<EntryId> ids;
        if (types == null) {
            ids = r.appendOwn(commands, EntryType.ENTRY_TYPE_NORMAL);
        } else {
            for (EntryType type : types) {
                if (type != EntryType.ENTRY_TYPE_NORMAL
                        && type != EntryType.ENTRY_TYPE_SESSION
                        && type != EntryType.ENTRY_TYPE_DIGEST_MARKER) {
                    throw new IllegalArgumentException("cannot propose an entry of type " + type);
                }
            }
            ids = new ArrayList<>(commands.size());
            for (int from = 0; from < commands.size(); ) {
                EntryType type = types.get(from);
                int to = from + 1;
                while (to < commands.size() && types.get(to) == type) {
                    to++;
                }
                ids.addAll(r.appendOwn(commands.subList(from, to), type));
                from = to;
            }
        }
        broadcastAppend();
        return ids;
    }

    void tick() {
        r.heartbeatElapsed++;
        r.electionElapsed++;
        if (r.leadTransferee != 0 && ++r.transferElapsed >= r.config.electionTicks()) {
            if (r.promotable()) {
                abortTransfer("it did not take over within an election timeout");
            } else {
                // A removed leader keeps trying until a voter of C_new leads a later term (it learns that
                // term from the answer to its next heartbeat). Giving up earlier could strand voters that
                // do not know C_new committed, as the simulator showed (seed 2047).
                handOff();
            }
        }
        if (r.electionElapsed >= r.config.electionTicks()) {
            r.electionElapsed = 0;
            if (r.config.checkQuorum()) {
                // A removed leader does not step down for want of a quorum: see handOff.
                if (r.promotable() && !r.tracker.quorumActive(r.id)) {
                    Raft.LOG.warn(
                            "[{}] stepping down at term {}: no quorum heard from within an election timeout",
                            r.id,
                            r.term);
                    r.becomeFollower(r.term, 0);
                    return;
                }
                r.tracker.allProgress().forEach((peer, pr) -> pr.setRecentActive(peer == r.id));
            }
        }
        if (r.heartbeatElapsed >= r.config.heartbeatTicks()) {
            r.heartbeatElapsed = 0;
            r.tracker.allProgress().values().forEach(Progress::allowHeartbeatRetry);
            broadcastHeartbeat();
        }
    }

    void step(RaftMessage m) {
        switch (m.getBodyCase()) {
            case VOTE_REQUEST -> VoteRequests.handle(r, m);
            case APPEND_RESPONSE -> handleAppendResponse(m);
            case HEARTBEAT_RESPONSE -> handleHeartbeatResponse(m);
            case READ_INDEX_REQUEST -> readIndex(m.getReadIndexRequest().getContext(), m.getFrom(), false);
            case APPEND_REQUEST, HEARTBEAT_REQUEST ->
                // Two leaders in one term cannot happen between correct servers; refuse rather than crash,
                // so a faulty peer cannot take the leader down.
                Raft.LOG.error(
                        "[{}] ignores {} from {}: it claims to lead term {}, which this server leads",
                        r.id,
                        m.getBodyCase(),
                        m.getFrom(),
                        r.term);
            default -> Raft.LOG.debug("[{}] leader ignores {} from {}", r.id, m.getBodyCase(), m.getFrom());
        }
    }

    /** Our own entries became durable: we count toward the quorum for them now, not before. */
    void onOwnLogPersisted() {
        // A leader removed from the configuration (handing off) no longer counts toward any quorum.
        Progress self = r.tracker.progress(r.id);
        if (self != null && self.maybeUpdate(r.raftLog.lastStableIndex())) {
            maybeCommitAndBroadcast();
        }
    }

    private void handleAppendResponse(RaftMessage m) {
        Progress pr = r.tracker.progress(m.getFrom());
        if (r.leadTransferee != 0) {
            heardDuringTransfer.add(m.getFrom());
        }
        AppendEntriesResponse resp = m.getAppendResponse();
        if (resp.getSuccess() && resp.getMatchIndex() > r.raftLog.lastIndex()) {
            Raft.LOG.warn(
                    "[{}] ignores ack of {} from {}: beyond last index {}",
                    r.id,
                    resp.getMatchIndex(),
                    m.getFrom(),
                    r.raftLog.lastIndex());
            return;
        }
        pr.setRecentActive(true);
        if (!resp.getSuccess()) {
            long hint = resp.getRejectHintIndex();
            if (resp.getRejectHintTerm() > 0) {
                hint = r.raftLog.findConflictByTerm(hint, resp.getRejectHintTerm());
            }
            if (pr.maybeDecrTo(resp.getRejectedIndex(), hint)) {
                Raft.LOG.debug(
                        "[{}] {} rejected {}; probing from {}", r.id, m.getFrom(), resp.getRejectedIndex(), pr.next());
                if (pr.state() == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(m.getFrom(), true);
            }
            return;
        }
        long match = resp.getMatchIndex();
        if (!pr.maybeUpdate(match)) {
            return;
        }
        if (pr.state() == ProgressState.PROBE) {
            pr.becomeReplicate();
        } else if (pr.state() == ProgressState.SNAPSHOT && pr.match() >= pr.pendingSnapshot()) {
            // The follower has the snapshot (or the log caught up past it): replicate from here.
            pr.becomeProbe();
            pr.becomeReplicate();
        } else if (pr.state() == ProgressState.REPLICATE) {
            pr.inflights().freeLE(match);
        }
        if (!maybeCommitAndBroadcast() && pr.canBumpCommit(r.raftLog.committed())) {
            // The commit index advanced while this follower's entries were on their way: tell it now, not at
            // the next heartbeat.
            sendCommit(m.getFrom());
        }
        // Keep the pipeline full while the window allows.
        while (sendAppend(m.getFrom(), false)) {
            // each call sends one message
        }
        if (m.getFrom() == r.leadTransferee && pr.match() == r.raftLog.lastIndex()) {
            sendTimeoutNow();
        }
    }

    /**
     * Starts handing leadership to {@code target} (thesis §3.10): bring its log up to date, then tell it
     * to campaign at once. Proposals are refused meanwhile; the transfer is abandoned after an election
     * timeout. A transfer to the target already in progress is left running.
     */
    void transferTo(long target) {
        if (r.leadTransferee == target) {
            return;
        }
        if (r.leadTransferee != 0) {
            abortTransfer("superseded by a transfer to " + target);
        }
        r.leadTransferee = target;
        r.transferElapsed = 0;
        heardDuringTransfer.clear();
        Raft.LOG.info("[{}] transfers leadership to {} at term {}", r.id, target, r.term);
        if (r.tracker.progress(target).match() == r.raftLog.lastIndex()) {
            sendTimeoutNow();
        } else {
            sendAppend(target, true);
        }
    }

    /**
     * A recovering peer (its recovery probe says it holds up to {@code lastIndex}) may have lost entries
     * it acknowledged: replicate to it again from what it holds.
     */
    void onPeerLostEntries(long peer, long lastIndex) {
        Progress pr = r.tracker.progress(peer);
        if (pr != null && pr.regressTo(lastIndex)) {
            Raft.LOG.info(
                    "[{}] peer {} lost entries it had acknowledged; replicating again from {}", r.id, peer, lastIndex);
            sendAppend(peer, true);
        }
    }

    /**
     * A leader that is no longer a voter transfers leadership to the voter of the incoming configuration
     * whose log is longest (lowest id on a tie), restarting any transfer in progress.
     */
    void handOff() {
        long best = 0;
        long bestMatch = -1;
        TreeSet<Long> candidates = new TreeSet<>(r.tracker.voters().incoming().voters());
        if (candidates.stream().anyMatch(heardDuringTransfer::contains)) {
            candidates.retainAll(heardDuringTransfer); // prefer voters that answer
        }
        for (long v : candidates) {
            Progress pr = r.tracker.progress(v);
            if (v != r.id && pr != null && pr.match() > bestMatch) {
                best = v;
                bestMatch = pr.match();
            }
        }
        if (best == 0) {
            r.becomeFollower(r.term, 0);
            return;
        }
        r.leadTransferee = 0;
        transferTo(best);
    }

    private void sendTimeoutNow() {
        Raft.LOG.info("[{}] sends TimeoutNow to {}: its log is up to date", r.id, r.leadTransferee);
        // The target may now win an election that ignores our lease (thesis §3.10): leases are void
        // for the rest of this term.
        r.leaseRevoked = true;
        r.send(Messages.timeoutNow(r, r.leadTransferee), false);
    }

    void abortTransfer(String why) {
        Raft.LOG.info("[{}] abandons the leadership transfer to {}: {}", r.id, r.leadTransferee, why);
        r.leadTransferee = 0;
        r.transferElapsed = 0;
    }

    /**
     * The configuration changed: the quorum may now be reached by other voters (commit what it allows) and
     * new members need the log.
     */
    void onMembershipChanged() {
        maybeCommitAndBroadcast();
        for (var e : r.tracker.allProgress().entrySet()) {
            long peer = e.getKey();
            if (peer != r.id && e.getValue().match() == 0 && !e.getValue().isPaused()) {
                sendAppend(peer, true);
            }
        }
    }

    private void handleHeartbeatResponse(RaftMessage m) {
        Progress pr = r.tracker.progress(m.getFrom());
        if (r.leadTransferee != 0) {
            heardDuringTransfer.add(m.getFrom());
        }
        pr.setRecentActive(true);
        r.reads.ack(m.getFrom(), m.getHeartbeatResponse().getContext());
        serveConfirmedReads();
        if (pr.match() < r.raftLog.lastIndex()) {
            if (pr.takeHeartbeatRetry()) {
                pr.resumeProbe();
                if (pr.state() == ProgressState.REPLICATE && pr.inflights().isFull()) {
                    // Lost AppendEntries would wedge a full window forever; the follower is alive, let one through.
                    pr.inflights().freeFirstOne();
                }
                sendAppend(m.getFrom(), true);
            }
        } else if (m.getFrom() == r.leadTransferee) {
            // The target may have refused an earlier TimeoutNow (e.g. a configuration not applied yet).
            sendTimeoutNow();
        }
    }

    private boolean maybeCommitAndBroadcast() {
        long before = r.raftLog.committed();
        if (r.raftLog.maybeCommit(r.tracker.committed(), r.term)) {
            if (before < r.pendingConfigIndex && r.pendingConfigIndex <= r.raftLog.committed()) {
                // A configuration change committed: every member hears it now, as an append. A voter it
                // removes leaves the tracker when the change is applied, so its answers would come too late
                // to bring the commit back to it (RemovedVoterRulesTest).
                broadcastAppend();
            } else {
                broadcastCommit();
            }
            if (!awaitingTermCommit.isEmpty()) {
                // The first entry of this term committed: the commit index is now current (§8).
                List<ReadIndexTracker.Request> waiting = new ArrayList<>(awaitingTermCommit);
                awaitingTermCommit.clear();
                for (ReadIndexTracker.Request w : waiting) {
                    r.reads.add(new ReadIndexTracker.Request(w.context(), r.raftLog.committed(), w.from()));
                }
            }
            return true;
        }
        return false;
    }

    /** Tells every follower the new commit index (see {@link #sendCommit}). */
    private void broadcastCommit() {
        for (long peer : r.tracker.allProgress().keySet()) {
            if (peer != r.id) {
                sendCommit(peer);
            }
        }
    }

    /**
     * Tells {@code to} the commit index as cheaply as its state allows. A follower in steady replication that
     * holds the whole log gets a commit notice: a heartbeat without a read round, not answered (a server
     * hosting many groups packs it into its per-peer heartbeat batch). One with entries still on their way
     * gets nothing: its answer to them brings the commit index back to it. Anything else (new entries, a
     * probe) goes as an AppendEntries, as before.
     */
    private void sendCommit(long to) {
        Progress pr = r.tracker.progress(to);
        long last = r.raftLog.lastIndex();
        if (pr.state() != ProgressState.REPLICATE || pr.next() <= last) {
            sendAppend(to, true);
            return;
        }
        long commit = r.raftLog.committed();
        if (pr.match() == last && commit > pr.sentCommit()) {
            pr.sentCommit(commit);
            r.send(Messages.heartbeat(r, to, commit, ByteString.EMPTY, false), false);
        }
    }

    void broadcastAppend() {
        for (long peer : r.tracker.allProgress().keySet()) {
            if (peer != r.id) {
                sendAppend(peer, true);
            }
        }
    }

    /** Sends a heartbeat round; its number, echoed back, confirms leadership for reads and leases. */
    void broadcastHeartbeat() {
        broadcastHeartbeat(false);
    }

    /** Sends the round that asks every follower to quiesce (see {@link Quiescence}). */
    void broadcastQuiesce() {
        broadcastHeartbeat(true);
    }

    private void broadcastHeartbeat(boolean quiesce) {
        ByteString round = r.reads.startRound(r.ticks, r.clockNanos);
        r.tracker.allProgress().forEach((peer, pr) -> {
            if (peer != r.id) {
                long commit = Math.min(pr.match(), r.raftLog.committed());
                pr.sentCommit(commit);
                r.send(Messages.heartbeat(r, peer, commit, round, quiesce), false);
            }
        });
        serveConfirmedReads(); // a single-voter cluster confirms its own rounds
    }

    boolean hasReadsAwaitingTermCommit() {
        return !awaitingTermCommit.isEmpty();
    }

    /**
     * Serves a read at the current commit index once leadership is confirmed (thesis §6.4). A new leader
     * first commits an entry of its own term, before which its commit index may be stale (§8): until
     * then reads wait.
     */
    void readIndex(ByteString context, long from, boolean allowLease) {
        ReadIndexTracker.Request req = new ReadIndexTracker.Request(context, r.raftLog.committed(), from);
        if (!committedInCurrentTerm()) {
            awaitingTermCommit.add(req);
            return;
        }
        if ((allowLease && leaseValid()) || plantedReadWithoutRound) {
            serve(req);
            return;
        }
        r.reads.add(req);
    }

    private boolean committedInCurrentTerm() {
        return r.raftLog.termOrZero(r.raftLog.committed()) == r.term;
    }

    /**
     * A lease (thesis §6.4.1): no other leader can be elected until an election timeout after the last
     * round a quorum answered was sent, less the configured clock-drift bound. Needs CheckQuorum, which
     * makes followers refuse votes while they hear from this leader. Judged on the clock reading of the
     * latest input (the read itself), never on counted ticks, which lag the clock after a stall.
     */
    boolean leaseValid() {
        if (!r.config.checkQuorum() || r.leaseRevoked || !r.reads.hasLease()) {
            return false;
        }
        if (plantedLeaseOnTicks) {
            return r.ticks - r.reads.leaseStartTick() < r.config.electionTicks() - r.config.leaseDriftTicks();
        }
        return r.clockNanos - r.reads.leaseStartNanos() < r.config.leaseNanos();
    }

    private void serveConfirmedReads() {
        long quorumSeq =
                r.tracker.voters().committedIndex(id -> id == r.id ? r.reads.latestSeq() : r.reads.ackedSeq(id));
        for (ReadIndexTracker.Request req : r.reads.confirm(quorumSeq)) {
            serve(req);
        }
    }

    private void serve(ReadIndexTracker.Request req) {
        if (req.from() == 0) {
            r.addReadState(new ReadState(req.context(), req.index()));
        } else {
            r.send(Messages.readIndexResponse(r, req.from(), req.context(), req.index()), false);
        }
    }

    /**
     * Sends the follower the entries from its next index, if its flow-control window allows. An empty
     * message is sent only if {@code sendIfEmpty} (to probe, or to carry a new commit index).
     */
    boolean sendAppend(long to, boolean sendIfEmpty) {
        Progress pr = r.tracker.progress(to);
        if (pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next() - 1;
        long last = r.raftLog.lastIndex();
        if (!sendIfEmpty && pr.next() > last) {
            return false;
        }
        long prevTerm;
        List<Entry> entries;
        try {
            prevTerm = r.raftLog.term(prevIndex);
            entries = r.raftLog.slice(pr.next(), last + 1, r.config.maxMessageBytes());
        } catch (LogCompactedException e) {
            r.snapshots.sendSnapshot(to, pr);
            return false;
        }
        long bytes = 0;
        for (Entry e : entries) {
            bytes += e.getSerializedSize();
        }
        long lastSent =
                entries.isEmpty() ? prevIndex : entries.get(entries.size() - 1).getIndex();
        pr.sentEntries(lastSent, entries.size(), bytes);
        long commit = r.raftLog.committed();
        pr.sentCommit(Math.min(commit, lastSent));
        r.send(Messages.append(r, to, prevIndex, prevTerm, entries, commit), false);
        return true;
    }
}
