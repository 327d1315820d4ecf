package io.raftmanager.core;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.VoteRequest;
import io.raftmanager.proto.VoteResponse;
import io.raftmanager.spi.LogBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Arrange-step helpers for the rule tests: give a {@link TestNode} a durable history, bring it into a
 * role, and build the messages a peer would send it. Everything is synchronous and deterministic.
 */
final class RuleFixtures {
    private RuleFixtures() {}

    /**
     * {1, 2, 3} with storage recovery on and leader 1, and server 4 started with no configuration (a
     * joiner), all up and settled.
     */
    static TestNetwork recoveringClusterLedByOneWithJoiner() {
        TestNetwork net = new TestNetwork(
                recoveringNode(1, 1, 2, 3), recoveringNode(2, 1, 2, 3), recoveringNode(3, 1, 2, 3), recoveringNode(4));
        net.tickAndSettle(60, 1, 2, 3, 4);
        long leader = 0;
        for (long id = 1; id <= 3; id++) {
            if (net.node(id).raft.role() == Role.LEADER) {
                leader = id;
            }
        }
        if (leader == 0) {
            throw new AssertionError("no leader elected among 1, 2, 3");
        }
        if (leader != 1) {
            net.node(leader).raft.transferLeadership(1);
            net.tickAndSettle(30, 1, 2, 3, 4);
        }
        if (net.node(1).raft.role() != Role.LEADER) {
            throw new AssertionError("1 did not take over");
        }
        return net;
    }

    /** A server with storage recovery on. */
    static TestNode recoveringNode(long id, long... voters) {
        return TestNode.create(id, b -> b.storageRecovery(true), voters);
    }

    /** A normal entry whose payload names its position, so tests can tell entries apart. */
    static Entry entry(long index, long term) {
        return Entry.newBuilder()
                .setIndex(index)
                .setTerm(term)
                .setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFromUtf8("e" + index + "@" + term))
                .build();
    }

    /** Consecutive entries starting at {@code firstIndex}, one per given term. */
    static List<Entry> entries(long firstIndex, long... terms) {
        List<Entry> out = new ArrayList<>(terms.length);
        for (int i = 0; i < terms.length; i++) {
            out.add(entry(firstIndex + i, terms[i]));
        }
        return out;
    }

    /** The terms of a node's log, index 1 first. */
    static List<Long> logTerms(TestNode n) {
        List<Long> terms = new ArrayList<>();
        for (long i = 1; i <= n.raft.log().lastIndex(); i++) {
            terms.add(n.raft.log().term(i));
        }
        return terms;
    }

    /**
     * Gives the node a durable history: hard state (term, vote, commit) and a log whose entry i has
     * {@code terms[i - 1]}; then restarts it so the core starts from exactly that state.
     */
    static TestNode withHistory(TestNode n, long term, long vote, long commit, long... terms) {
        HardState hs = HardState.newBuilder()
                .setTerm(term)
                .setVote(vote)
                .setCommit(commit)
                .build();
        n.storage.write(new LogBatch(hs, entries(1, terms), true));
        n.restart();
        return n;
    }

    /** A node at {@code term} with an empty log and no vote. */
    static TestNode atTerm(TestNode n, long term) {
        return withHistory(n, term, 0, 0);
    }

    /**
     * Elects the node: it campaigns (without PreVote), persists its vote, and collects grants from the
     * other voters in id order until it wins. Everything it emits on the way is processed and discarded.
     */
    static TestNode elect(TestNode n) {
        n.raft.startElection(true);
        n.processReady();
        for (long peer : new TreeSet<>(n.raft.tracker.voters().ids())) {
            if (n.raft.role() == Role.LEADER) {
                break;
            }
            if (peer != n.id) {
                n.raft.step(voteResponse(n, peer, n.raft.term(), false, true));
            }
        }
        if (n.raft.role() != Role.LEADER) {
            throw new IllegalStateException("could not elect " + n.id + ": " + n.raft.status());
        }
        n.processReady();
        return n;
    }

    /** Every other voter acknowledges the leader's whole log; the resulting messages are discarded. */
    static TestNode ackAll(TestNode leader) {
        long last = leader.raft.log().lastIndex();
        for (long peer : new TreeSet<>(leader.raft.tracker.members())) {
            if (peer != leader.id) {
                leader.raft.step(appendAccept(leader, peer, leader.raft.term(), last));
            }
        }
        leader.processReady();
        return leader;
    }

    // ---------------------------------------------------------------------------------------------
    // Messages a peer sends to `to`.

    static RaftMessage appendRequest(
            TestNode to, long from, long term, long prevIndex, long prevTerm, long commit, List<Entry> entries) {
        return to.envelopeFrom(from, term)
                .setAppendRequest(AppendEntriesRequest.newBuilder()
                        .setPrevLogIndex(prevIndex)
                        .setPrevLogTerm(prevTerm)
                        .setLeaderCommit(commit)
                        .addAllEntries(entries))
                .build();
    }

    /** A leader's heartbeat of read round 1 (answered, unlike a {@link #commitNotice}). */
    static RaftMessage heartbeat(TestNode to, long from, long term, long commit) {
        return to.envelopeFrom(from, term)
                .setHeartbeatRequest(
                        HeartbeatRequest.newBuilder().setCommit(commit).setContext(ReadIndexTracker.encode(1)))
                .build();
    }

    /** A heartbeat without a read round: a leader's notice of a new commit index, which is not answered. */
    static RaftMessage commitNotice(TestNode to, long from, long term, long commit) {
        return to.envelopeFrom(from, term)
                .setHeartbeatRequest(HeartbeatRequest.newBuilder().setCommit(commit))
                .build();
    }

    static RaftMessage heartbeatResponse(TestNode to, long from, long term) {
        return to.envelopeFrom(from, term)
                .setHeartbeatResponse(HeartbeatResponse.getDefaultInstance())
                .build();
    }

    static RaftMessage appendAccept(TestNode to, long from, long term, long match) {
        return to.envelopeFrom(from, term)
                .setAppendResponse(
                        AppendEntriesResponse.newBuilder().setSuccess(true).setMatchIndex(match))
                .build();
    }

    static RaftMessage voteRequest(TestNode to, long from, long term, long lastIndex, long lastTerm) {
        return voteRequest(to, from, term, lastIndex, lastTerm, false, false);
    }

    static RaftMessage preVoteRequest(TestNode to, long from, long term, long lastIndex, long lastTerm) {
        return voteRequest(to, from, term, lastIndex, lastTerm, true, false);
    }

    static RaftMessage voteRequest(
            TestNode to, long from, long term, long lastIndex, long lastTerm, boolean pre, boolean transfer) {
        return to.envelopeFrom(from, term)
                .setVoteRequest(VoteRequest.newBuilder()
                        .setPreVote(pre)
                        .setLeadershipTransfer(transfer)
                        .setLastLogIndex(lastIndex)
                        .setLastLogTerm(lastTerm))
                .build();
    }

    static RaftMessage voteResponse(TestNode to, long from, long term, boolean pre, boolean granted) {
        return to.envelopeFrom(from, term)
                .setVoteResponse(VoteResponse.newBuilder().setPreVote(pre).setGranted(granted))
                .build();
    }

    // ---------------------------------------------------------------------------------------------
    // Looking at what a node sent.

    static List<RaftMessage> sentTo(List<RaftMessage> messages, long to) {
        return messages.stream().filter(m -> m.getTo() == to).toList();
    }

    static List<RaftMessage> ofKind(List<RaftMessage> messages, RaftMessage.BodyCase kind) {
        return messages.stream().filter(m -> m.getBodyCase() == kind).toList();
    }

    /** The only message in the list; fails the test if there is not exactly one. */
    static RaftMessage single(List<RaftMessage> messages) {
        if (messages.size() != 1) {
            throw new AssertionError("expected exactly one message, got " + messages);
        }
        return messages.get(0);
    }
}
