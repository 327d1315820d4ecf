package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.proto.RaftMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a group may quiesce, what wakes it, and how a woken follower counts the time it slept. */
class QuiescenceRulesTest {
    private static final long TICK = 100_000_000L; // TestNode's tickMillis default (100 ms)

    private static TestNetwork cluster() {
        TestNetwork net = new TestNetwork(
                TestNode.create(1, b -> b.checkQuorum(true).preVote(true), 1, 2, 3),
                TestNode.create(2, b -> b.checkQuorum(true).preVote(true), 1, 2, 3),
                TestNode.create(3, b -> b.checkQuorum(true).preVote(true), 1, 2, 3));
        net.node(1).raft.campaign();
        net.stabilize();
        net.node(1).raft.tick(); // the heartbeat tells followers the no-op's commit
        net.stabilize();
        assertEquals(Role.LEADER, net.node(1).raft.role());
        return net;
    }

    private static boolean allQuiesced(TestNetwork net) {
        return net.node(1).raft.quiesced()
                && net.node(2).raft.quiesced()
                && net.node(3).raft.quiesced();
    }

    @Test
    void anIdleCaughtUpGroupQuiescesAndThenSendsNothingWhateverItIsTicked() {
        TestNetwork net = cluster();
        assertTrue(net.node(1).raft.quiesce(), "idle and caught up: the leader quiesces");
        net.stabilize();
        assertTrue(allQuiesced(net), "both followers quiesced on the leader's last heartbeat");
        int before = net.delivered().size();
        for (int t = 0; t < 100; t++) { // ten election timeouts
            for (long id = 1; id <= 3; id++) {
                net.node(id).raft.tick();
            }
            net.stabilize();
        }
        assertEquals(before, net.delivered().size(), "no message at all while quiesced");
        assertEquals(Role.LEADER, net.node(1).raft.role(), "nobody campaigned");
        assertTrue(allQuiesced(net));
    }

    @Test
    void aLeaderWithWorkInFlightDoesNotQuiesce() {
        TestNetwork net = cluster();
        net.dropIf(m -> m.getTo() == 3); // 3 stops getting the log
        net.node(1).raft.propose(ByteString.copyFromUtf8("x"));
        net.stabilize();
        assertFalse(net.node(1).raft.quiesce(), "follower 3 lacks an entry");
        net.heal();
        net.node(1).raft.tick();
        net.stabilize();
        net.node(1).raft.readIndex(ByteString.copyFromUtf8("r"), false);
        assertFalse(net.node(1).raft.quiesce(), "a read waits for its round");
        net.stabilize();
        assertTrue(net.node(1).raft.quiesce(), "caught up, nothing pending");
        net.stabilize();
        assertTrue(allQuiesced(net));
    }

    @Test
    void aProposalWakesTheGroupAndItCommits() {
        TestNetwork net = cluster();
        net.node(1).raft.quiesce();
        net.stabilize();
        net.node(1).raft.propose(ByteString.copyFromUtf8("x"));
        net.stabilize();
        assertFalse(net.node(1).raft.quiesced(), "the proposal woke the leader");
        assertFalse(net.node(2).raft.quiesced(), "the append woke follower 2");
        assertFalse(net.node(3).raft.quiesced(), "the append woke follower 3");
        assertEquals(net.node(1).raft.log().lastIndex(), net.node(1).raft.log().committed());
    }

    @Test
    void aFollowerWhoseLogDiffersRefusesAndItsAnswerWakesTheLeader() {
        TestNetwork net = cluster();
        assertTrue(net.node(1).raft.quiesce());
        net.stabilize();
        TestNode f = net.node(3);
        long last = f.raft.log().lastIndex();
        // A quiesce heartbeat whose commit is beyond 3's log (3 missed entries): 3 must not sleep.
        f.raft.step(f.envelopeFrom(1, f.raft.term())
                .setHeartbeatRequest(io.raftmanager.proto.HeartbeatRequest.newBuilder()
                        .setCommit(last + 1)
                        .setQuiesce(true))
                .build());
        assertFalse(f.raft.quiesced(), "3's log ends before the leader's commit: it refuses");
        List<RaftMessage> answer = f.processReady();
        assertEquals(1, answer.size());
        assertFalse(answer.get(0).getHeartbeatResponse().getQuiesced());
        net.node(1).raft.step(answer.get(0));
        assertFalse(net.node(1).raft.quiesced(), "3's plain answer woke the leader");
        List<RaftMessage> round = net.node(1).processReady();
        assertEquals(2, round.stream().filter(RaftMessage::hasHeartbeatRequest).count(), "it heartbeats at once");
    }

    /**
     * Defence in depth: even a leader that wrongly quiesces with an entry its followers lack (planted) is
     * undone, because its answers to their quiesce acknowledgements still carry the missing entries.
     */
    @Test
    void aLeaderQuiescedWithAnUncommittedEntryStillGetsItCommitted() {
        TestNetwork net = cluster();
        net.dropIf(m -> m.getTo() == 3 && m.getBodyCase() == RaftMessage.BodyCase.APPEND_REQUEST);
        net.dropIf(m -> m.getTo() == 2 && m.getBodyCase() == RaftMessage.BodyCase.APPEND_REQUEST);
        net.node(1).raft.propose(ByteString.copyFromUtf8("x"));
        net.stabilize();
        assertFalse(net.node(1).raft.quiesce(), "not committed: no quiescing");
        PlantedBugs.quiesceWithUncommittedEntries(net.node(1).raft);
        assertTrue(net.node(1).raft.quiesce());
        net.heal();
        net.stabilize();
        for (int t = 0; t < 50; t++) {
            for (long id = 1; id <= 3; id++) {
                net.node(id).raft.tick();
            }
            net.stabilize();
        }
        assertEquals(net.node(1).raft.log().lastIndex(), net.node(1).raft.log().committed(), "committed anyway");
        for (long id = 2; id <= 3; id++) {
            assertEquals(
                    net.node(1).raft.log().lastIndex(), net.node(id).raft.log().lastIndex(), "node " + id);
        }
    }

    @Test
    void aFollowerWokenForADeadLeaderIsCreditedTheTicksItMissedButAtMostAnElectionTimeout() {
        TestNetwork net = cluster();
        long[] clock = {0, 10 * TICK, 10 * TICK, 10 * TICK};
        for (long id = 1; id <= 3; id++) {
            net.node(id).raft.tick(clock[(int) id]);
        }
        net.stabilize();
        net.node(1).raft.quiesce();
        net.stabilize();
        net.node(2).raft.clock(clock[2]); // the runtime reads its clock after the batch with the heartbeat
        assertTrue(net.node(2).raft.quiesced());

        // The leader dies; three ticks' worth of time later, 2 is woken: not yet allowed to campaign.
        net.isolate(1);
        net.node(2).raft.wake(clock[2] + 3 * TICK);
        assertFalse(net.node(2).raft.quiesced());
        assertEquals(2, net.node(2).raft.electionElapsed, "three ticks measured, one held back");
        assertEquals(1, net.node(2).raft.leaderId(), "woken, it still follows the leader it knew");

        // Woken after a long sleep, 3 is credited one election timeout, not more: it campaigns after jitter.
        net.node(3).raft.clock(clock[3]);
        net.node(3).raft.wake(clock[3] + 1_000 * TICK);
        assertEquals(net.node(3).config.electionTicks(), net.node(3).raft.electionElapsed);
        TestNode next = null;
        for (int t = 0; t < 40 && next == null; t++) {
            for (long id = 2; id <= 3; id++) {
                net.node(id).raft.tick();
            }
            net.stabilize();
            for (long id = 2; id <= 3; id++) {
                if (net.node(id).raft.role() == Role.LEADER) {
                    next = net.node(id);
                }
            }
        }
        assertTrue(next != null, "the woken followers elect a new leader");
    }

    @Test
    void anyOtherMessageWakesAQuiescedFollower() {
        TestNetwork net = cluster();
        net.node(1).raft.quiesce();
        net.stabilize();
        TestNode f = net.node(2);
        // A pre-vote from 3 (say 3 restarted): 2 wakes, and refuses it, as the leader was heard just now.
        f.raft.step(f.envelopeFrom(3, f.raft.term() + 1)
                .setVoteRequest(io.raftmanager.proto.VoteRequest.newBuilder()
                        .setPreVote(true)
                        .setLastLogIndex(f.raft.log().lastIndex())
                        .setLastLogTerm(f.raft.term()))
                .build());
        assertFalse(f.raft.quiesced());
        List<RaftMessage> out = f.processReady();
        assertTrue(
                out.stream()
                        .noneMatch(
                                m -> m.hasVoteResponse() && m.getVoteResponse().getGranted()),
                "no vote granted while the leader's lease may hold: " + out);
    }
}
