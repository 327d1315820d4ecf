package io.raftmanager.core;

import static io.raftmanager.core.RuleFixtures.ackAll;
import static io.raftmanager.core.RuleFixtures.elect;
import static io.raftmanager.core.RuleFixtures.ofKind;
import static io.raftmanager.core.RuleFixtures.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.NotLeaderException;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.ReadIndexRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ReadIndex and lease reads (thesis §6.4, §6.4.1). */
class ReadIndexRulesTest {
    private static ByteString ctx(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** The heartbeat round the leader just sent, as a follower's echo. */
    private static RaftMessage echo(TestNode leader, List<RaftMessage> sent, long from) {
        RaftMessage hb = single(ofKind(RuleFixtures.sentTo(sent, from), RaftMessage.BodyCase.HEARTBEAT_REQUEST));
        return leader.envelopeFrom(from, leader.raft.term())
                .setHeartbeatResponse(HeartbeatResponse.newBuilder()
                        .setContext(hb.getHeartbeatRequest().getContext()))
                .build();
    }

    private static TestNode leaderWithCommittedTermEntry() {
        TestNode n = ackAll(elect(TestNode.create(1, 1, 2, 3)));
        assertEquals(1, n.raft.log().committed(), "the term's no-op is committed");
        return n;
    }

    @Test
    void leaderServesReadOnlyAfterAQuorumConfirmsItsLeadership() {
        TestNode n = leaderWithCommittedTermEntry();
        n.raft.readIndex(ctx("r1"), false);
        List<RaftMessage> sent = n.processReady();
        assertEquals(2, ofKind(sent, RaftMessage.BodyCase.HEARTBEAT_REQUEST).size(), "one confirmation round");
        assertTrue(n.readStates.isEmpty(), "nothing served before confirmation");
        n.raft.step(echo(n, sent, 2));
        n.processReady();
        assertEquals(
                List.of(new ReadState(ctx("r1"), 1)), n.readStates, "served at the commit index once 2 of 3 agree");
    }

    @Test
    void readsArrivingTogetherShareOneConfirmationRound() {
        TestNode n = leaderWithCommittedTermEntry();
        n.raft.readIndex(ctx("a"), false);
        n.raft.readIndex(ctx("b"), false);
        n.raft.readIndex(ctx("c"), false);
        List<RaftMessage> sent = n.processReady();
        assertEquals(2, ofKind(sent, RaftMessage.BodyCase.HEARTBEAT_REQUEST).size());
        n.raft.step(echo(n, sent, 3));
        n.processReady();
        assertEquals(3, n.readStates.size());
    }

    @Test
    void staleRoundAckDoesNotConfirmALaterRead() {
        TestNode n = leaderWithCommittedTermEntry();
        n.raft.readIndex(ctx("first"), false);
        List<RaftMessage> round1 = n.processReady();
        n.raft.readIndex(ctx("second"), false);
        List<RaftMessage> round2 = n.processReady();
        n.raft.step(echo(n, round1, 2));
        n.processReady();
        assertEquals(List.of(new ReadState(ctx("first"), 1)), n.readStates, "round 1's echo confirms only round 1");
        n.raft.step(echo(n, round2, 3));
        n.processReady();
        assertEquals(2, n.readStates.size());
    }

    @Test
    void newLeaderServesNoReadBeforeItsTermsFirstEntryCommits() {
        TestNode n = elect(TestNode.create(1, 1, 2, 3));
        n.raft.readIndex(ctx("early"), false);
        List<RaftMessage> sent = n.processReady();
        assertTrue(ofKind(sent, RaftMessage.BodyCase.HEARTBEAT_REQUEST).isEmpty(), "no round before the no-op commits");
        ackAll(n);
        List<RaftMessage> round = n.processReady();
        if (ofKind(round, RaftMessage.BodyCase.HEARTBEAT_REQUEST).isEmpty()) {
            round = n.processReady();
        }
        n.raft.readIndex(ctx("later"), false);
        round = n.processReady();
        n.raft.step(echo(n, round, 2));
        n.processReady();
        assertEquals(2, n.readStates.size());
        assertTrue(n.readStates.stream().allMatch(rs -> rs.index() >= 1), "both at or after the term's first entry");
    }

    @Test
    void followerForwardsReadsToTheLeaderAndServesAtTheIndexItReturns() {
        TestNode f = TestNode.create(2, 1, 2, 3);
        f.raft.step(RuleFixtures.heartbeat(f, 1, 1, 0));
        f.processReady();
        f.raft.readIndex(ctx("f"), false);
        RaftMessage req = single(ofKind(f.processReady(), RaftMessage.BodyCase.READ_INDEX_REQUEST));
        assertEquals(1, req.getTo());
        f.raft.step(f.envelopeFrom(1, 1)
                .setReadIndexResponse(io.raftmanager.proto.ReadIndexResponse.newBuilder()
                        .setContext(ctx("f"))
                        .setReadIndex(7)
                        .setSuccess(true))
                .build());
        f.processReady();
        assertEquals(List.of(new ReadState(ctx("f"), 7)), f.readStates);
    }

    @Test
    void leaderAnswersAForwardedReadAfterConfirmation() {
        TestNode n = leaderWithCommittedTermEntry();
        n.raft.step(n.envelopeFrom(2, 1)
                .setReadIndexRequest(ReadIndexRequest.newBuilder().setContext(ctx("x")))
                .build());
        List<RaftMessage> round = n.processReady();
        n.raft.step(echo(n, round, 3));
        RaftMessage resp = single(ofKind(n.processReady(), RaftMessage.BodyCase.READ_INDEX_RESPONSE));
        assertEquals(2, resp.getTo());
        assertEquals(1, resp.getReadIndexResponse().getReadIndex());
    }

    @Test
    void readWithNoKnownLeaderIsRefused() {
        TestNode f = TestNode.create(2, 1, 2, 3);
        assertThrows(NotLeaderException.class, () -> f.raft.readIndex(ctx("x"), false));
    }

    @Test
    void leaseReadIsServedWithoutARoundTripOnlyWhileTheLeaseHolds() {
        TestNode n = ackAll(elect(TestNode.create(1, b -> b.checkQuorum(true), 1, 2, 3)));
        n.raft.tick(); // heartbeat round at tick 1
        List<RaftMessage> round = n.processReady();
        n.raft.step(echo(n, round, 2));
        n.processReady();
        n.raft.readIndex(ctx("lease"), true);
        n.processReady();
        assertEquals(List.of(new ReadState(ctx("lease"), 1)), n.readStates, "served at once inside the lease");
        for (int i = 0; i < 10; i++) {
            n.raft.tick(); // rounds go out but nobody answers: the lease runs out
        }
        n.processReady();
        n.readStates.clear();
        n.raft.readIndex(ctx("expired"), true);
        n.processReady();
        assertTrue(n.readStates.isEmpty(), "an expired lease falls back to a confirmation round");
    }
}
