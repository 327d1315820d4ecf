package io.raftmanager.core;

import static io.raftmanager.core.RuleFixtures.atTerm;
import static io.raftmanager.core.RuleFixtures.elect;
import static io.raftmanager.core.RuleFixtures.heartbeat;
import static io.raftmanager.core.RuleFixtures.heartbeatResponse;
import static io.raftmanager.core.RuleFixtures.ofKind;
import static io.raftmanager.core.RuleFixtures.preVoteRequest;
import static io.raftmanager.core.RuleFixtures.sentTo;
import static io.raftmanager.core.RuleFixtures.single;
import static io.raftmanager.core.RuleFixtures.voteRequest;
import static io.raftmanager.core.RuleFixtures.voteResponse;
import static io.raftmanager.core.RuleFixtures.withHistory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.RaftConfig;
import io.raftmanager.Role;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.RaftMessage.BodyCase;
import io.raftmanager.proto.VoteRequest;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PreVote (thesis §9.6), CheckQuorum (thesis §6.2) and the leader lease that protects a live leader from
 * disruptive vote requests (thesis §4.2.3), one rule per test.
 */
class PreVoteCheckQuorumRulesTest {
    private static final UnaryOperator<RaftConfig.Builder> PRE_VOTE = b -> b.preVote(true);
    private static final UnaryOperator<RaftConfig.Builder> CHECK_QUORUM = b -> b.checkQuorum(true);

    @Test
    void preCandidateDoesNotIncreaseItsTermOrVote() {
        TestNode n = withHistory(TestNode.create(1, PRE_VOTE, 1, 2, 3), 2, 0, 0, 1, 2);

        n.raft.campaign();
        Ready rd = n.raft.ready();

        assertEquals(Role.PRE_CANDIDATE, n.raft.role());
        assertEquals(2, n.raft.term());
        assertEquals(0, n.raft.status().vote());
        assertNull(rd.hardState(), "nothing to persist for a pre-vote");
        assertEquals(2, rd.messages().size());
        for (RaftMessage m : rd.messages()) {
            VoteRequest v = m.getVoteRequest();
            assertTrue(v.getPreVote());
            assertEquals(3, m.getTerm(), "asks for the term it would campaign in");
            assertEquals(2, v.getLastLogIndex());
            assertEquals(2, v.getLastLogTerm());
        }
    }

    @Test
    void grantingPreVoteLeavesVotersTermAndVoteAlone() {
        TestNode n = withHistory(TestNode.create(1, PRE_VOTE, 1, 2, 3), 2, 3, 0);

        n.raft.step(preVoteRequest(n, 2, 3, 0, 0));
        Ready rd = n.raft.ready();

        RaftMessage grant = single(rd.messagesAfterPersist());
        assertTrue(grant.getVoteResponse().getPreVote());
        assertTrue(grant.getVoteResponse().getGranted());
        assertEquals(3, grant.getTerm());
        assertNull(rd.hardState());
        assertEquals(2, n.raft.term());
        assertEquals(3, n.raft.status().vote(), "still the vote cast in term 2");
        assertEquals(Role.FOLLOWER, n.raft.role());
    }

    @Test
    void preVoteIsRejectedForStaleLog() {
        TestNode n = withHistory(TestNode.create(1, PRE_VOTE, 1, 2, 3), 2, 0, 0, 1, 2);

        n.raft.step(preVoteRequest(n, 2, 3, 5, 1));

        RaftMessage answer = single(n.processReady());
        assertTrue(answer.getVoteResponse().getPreVote());
        assertFalse(answer.getVoteResponse().getGranted());
        assertEquals(2, n.raft.term());
    }

    @Test
    void preCandidateBecomesCandidateAfterMajorityOfPreVotes() {
        TestNode n = TestNode.create(1, PRE_VOTE, 1, 2, 3);
        n.raft.campaign();
        n.processReady();

        n.raft.step(voteResponse(n, 2, 1, true, true));

        assertEquals(Role.CANDIDATE, n.raft.role());
        assertEquals(1, n.raft.term());
        assertEquals(1, n.raft.status().vote());
        List<RaftMessage> requests = n.processReady();
        assertEquals(2, requests.size());
        assertTrue(requests.stream().noneMatch(m -> m.getVoteRequest().getPreVote()), "now a real election");
    }

    @Test
    void preCandidateReturnsToFollowerWhenMajorityRejects() {
        TestNode n = atTerm(TestNode.create(1, PRE_VOTE, 1, 2, 3), 4);
        n.raft.campaign();
        n.processReady();

        n.raft.step(voteResponse(n, 2, 4, true, false));
        n.raft.step(voteResponse(n, 3, 4, true, false));

        assertEquals(Role.FOLLOWER, n.raft.role());
        assertEquals(4, n.raft.term(), "a failed pre-vote leaves no trace in the term");
    }

    @Test
    void preCandidateReturnsToFollowerOnHeartbeatOfItsTerm() {
        TestNode n = atTerm(TestNode.create(1, PRE_VOTE, 1, 2, 3), 2);
        n.raft.campaign();
        n.processReady();

        n.raft.step(heartbeat(n, 3, 2, 0));

        assertEquals(Role.FOLLOWER, n.raft.role());
        assertEquals(3, n.raft.leaderId());
    }

    @Test
    void voterAnswersPreVoteOfStaleTermWithItsOwnTerm() {
        TestNode voter = atTerm(TestNode.create(2, PRE_VOTE, 1, 2, 3), 5);

        voter.raft.step(preVoteRequest(voter, 1, 2, 0, 0));
        Ready rd = voter.raft.ready();

        RaftMessage reject = single(rd.messages());
        assertFalse(reject.getVoteResponse().getGranted());
        assertEquals(5, reject.getTerm());
    }

    @Test
    void preCandidateWithStaleTermLearnsTermFromRejection() {
        TestNode n = TestNode.create(1, PRE_VOTE, 1, 2, 3);
        n.raft.campaign();
        n.processReady();

        n.raft.step(voteResponse(n, 2, 5, true, false));

        assertEquals(Role.FOLLOWER, n.raft.role());
        assertEquals(5, n.raft.term());
    }

    @Test
    void leaderStepsDownWhenNoQuorumHeardWithinElectionTimeout() {
        TestNode n = elect(TestNode.create(1, CHECK_QUORUM, 1, 2, 3));

        for (int i = 1; i < 10; i++) {
            n.raft.tick();
        }
        assertEquals(Role.LEADER, n.raft.role(), "one tick before the election timeout");
        n.raft.tick();

        assertEquals(Role.FOLLOWER, n.raft.role());
        assertEquals(1, n.raft.term(), "stepping down does not start a new term");
        assertEquals(0, n.raft.leaderId());
    }

    @Test
    void leaderStaysWhileQuorumIsActiveInEachElectionTimeout() {
        TestNode n = elect(TestNode.create(1, CHECK_QUORUM, 1, 2, 3));

        for (int i = 1; i < 10; i++) {
            n.raft.tick();
        }
        n.raft.step(heartbeatResponse(n, 2, 1));
        n.raft.tick();
        assertEquals(Role.LEADER, n.raft.role(), "heard from 2 in the first timeout");

        for (int i = 0; i < 10; i++) {
            n.raft.tick();
        }
        assertEquals(Role.FOLLOWER, n.raft.role(), "heard from nobody in the second");
    }

    /** Node 1, a follower of leader 2 at term 1 that has just heard from it. */
    private static TestNode followerInLease(boolean preVote) {
        TestNode n = atTerm(TestNode.create(1, b -> b.checkQuorum(true).preVote(preVote), 1, 2, 3), 1);
        n.raft.step(heartbeat(n, 2, 1, 0));
        n.processReady();
        return n;
    }

    @ParameterizedTest(name = "preVote={0}")
    @ValueSource(booleans = {false, true})
    void followerWithLiveLeaderIgnoresVoteRequest(boolean pre) {
        TestNode n = followerInLease(pre);

        n.raft.step(RuleFixtures.voteRequest(n, 3, 2, 5, 1, pre, false));

        assertEquals(List.of(), n.processReady());
        assertEquals(1, n.raft.term());
        assertEquals(2, n.raft.leaderId());
        assertEquals(0, n.raft.status().vote());
    }

    @Test
    void followerGrantsVoteOnceLeaseExpires() {
        TestNode n = followerInLease(false);
        assertTrue(n.raft.randomizedElectionTimeout > 10, "precondition: the follower must not campaign itself");

        for (int i = 0; i < 10; i++) {
            n.raft.tick();
        }
        n.raft.step(voteRequest(n, 3, 2, 5, 1));

        assertTrue(single(n.processReady()).getVoteResponse().getGranted());
        assertEquals(2, n.raft.term());
        assertEquals(3, n.raft.status().vote());
    }

    /**
     * A leader that stepped down (CheckQuorum) and campaigns has no lease left to protect: its own
     * followers grant it a pre-vote at once instead of making the cluster wait out an election timeout.
     */
    @Test
    void preVoteFromTheSteppedDownLeaderItselfIsGrantedInLease() {
        TestNode n = followerInLease(true);

        n.raft.step(RuleFixtures.voteRequest(n, 2, 2, 5, 1, true, false));

        assertTrue(single(n.processReady()).getVoteResponse().getGranted(), "its own leader gave up leading");
        assertEquals(1, n.raft.term(), "a pre-vote changes no term");

        n.raft.step(RuleFixtures.voteRequest(n, 3, 2, 5, 1, true, false));
        assertEquals(List.of(), n.processReady(), "another server's pre-vote is still refused in lease");
    }

    /**
     * A follower that restarts may have acknowledged the heartbeat round that started a leader's lease just
     * before it stopped; it refuses disruptive votes for its first election timeout, as it would have had it
     * stayed up, and grants them afterwards.
     */
    @ParameterizedTest(name = "preVote={0}")
    @ValueSource(booleans = {false, true})
    void restartedFollowerHonoursALeaseItMayHaveGranted(boolean pre) {
        TestNode n = followerInLease(pre);
        n.restart();
        assertEquals(0, n.raft.leaderId(), "precondition: a restarted server knows no leader");

        n.raft.step(RuleFixtures.voteRequest(n, 3, 2, 5, 1, pre, false));
        assertEquals(List.of(), n.processReady(), "refused during its first election timeout");
        assertEquals(1, n.raft.term());

        for (int i = 0; i < 10; i++) {
            n.raft.tick();
        }
        n.raft.step(RuleFixtures.voteRequest(n, 3, 2, 5, 1, pre, false));
        List<RaftMessage> out = n.processReady();
        assertTrue(
                ofKind(out, RaftMessage.BodyCase.VOTE_RESPONSE)
                        .get(0)
                        .getVoteResponse()
                        .getGranted(),
                "granted once an election timeout passed");
    }

    /** The same restart with the guard planted off: the vote is granted at once, inside the lease. */
    @Test
    void withTheRestartGuardPlantedOffTheRestartedFollowerGrantsAtOnce() {
        TestNode n = followerInLease(false);
        n.restart();
        PlantedBugs.forgetLeaseOnRestart(n.raft);
        n.raft.step(RuleFixtures.voteRequest(n, 3, 2, 5, 1, false, false));
        assertTrue(single(n.processReady()).getVoteResponse().getGranted(), "the old behaviour");
    }

    /** A server starting from term 0 never acknowledged any leader: it has no lease to honour. */
    @Test
    void freshServerGrantsVotesAtOnce() {
        TestNode n = TestNode.create(1, b -> b.checkQuorum(true), 1, 2, 3);
        n.raft.step(voteRequest(n, 3, 1, 0, 0));
        assertTrue(single(n.processReady()).getVoteResponse().getGranted());
    }

    @Test
    void leadershipTransferVoteBypassesLease() {
        TestNode n = followerInLease(false);

        n.raft.step(RuleFixtures.voteRequest(n, 3, 2, 5, 1, false, true));

        assertTrue(single(n.processReady()).getVoteResponse().getGranted());
        assertEquals(2, n.raft.term());
        assertEquals(3, n.raft.status().vote());
    }

    @Test
    void leaderWithinLeaseIgnoresDisruptiveVoteRequest() {
        TestNode n = elect(TestNode.create(1, CHECK_QUORUM, 1, 2, 3));

        n.raft.step(voteRequest(n, 3, 2, 5, 1));

        assertEquals(Role.LEADER, n.raft.role());
        assertEquals(1, n.raft.term());
        assertEquals(List.of(), n.processReady());
    }

    @Test
    void voteRequestFromNonMemberIsIgnored() {
        TestNode n = atTerm(TestNode.create(1, 1, 2, 3), 1);

        n.raft.step(voteRequest(n, 9, 2, 5, 1));

        assertEquals(List.of(), n.processReady());
        assertEquals(1, n.raft.term(), "a removed server cannot raise the term");
    }

    @ParameterizedTest(name = "checkQuorum={0} preVote={1}")
    @CsvSource({"true, false", "false, true"})
    void staleLeaderLearnsNewTermFromAppendRejection(boolean checkQuorum, boolean preVote) {
        TestNode leader = elect(TestNode.create(1, 1, 2, 3));
        TestNode follower =
                atTerm(TestNode.create(2, b -> b.checkQuorum(checkQuorum).preVote(preVote), 1, 2, 3), 3);
        leader.raft.tick();
        RaftMessage beat = single(sentTo(leader.processReady(), 2));

        follower.raft.step(beat);
        Ready rd = follower.raft.ready();
        RaftMessage answer = single(rd.messages());
        assertEquals(BodyCase.APPEND_RESPONSE, answer.getBodyCase());
        assertEquals(3, answer.getTerm());
        assertEquals(3, follower.raft.term(), "the follower ignores the stale leader otherwise");

        leader.raft.step(answer);

        assertEquals(Role.FOLLOWER, leader.raft.role());
        assertEquals(3, leader.raft.term());
    }

    @Test
    void partitionedNodeWithPreVoteDoesNotDisruptLeaderWhenItReturns() {
        UnaryOperator<RaftConfig.Builder> both = b -> b.preVote(true).checkQuorum(true);
        TestNetwork net = new TestNetwork(
                TestNode.create(1, both, 1, 2, 3),
                TestNode.create(2, both, 1, 2, 3),
                TestNode.create(3, both, 1, 2, 3));
        net.node(1).raft.campaign();
        net.stabilize();
        assertEquals(Role.LEADER, net.node(1).raft.role());
        long term = net.node(1).raft.term();

        net.isolate(3);
        for (int i = 0; i < 50; i++) {
            for (long id = 1; id <= 3; id++) {
                net.node(id).raft.tick();
            }
            net.stabilize();
        }
        assertEquals(term, net.node(3).raft.term(), "pre-votes that nobody answers never raise the term");
        net.heal();
        net.node(1).raft.tick();
        net.stabilize();

        assertEquals(Role.LEADER, net.node(1).raft.role());
        assertEquals(term, net.node(1).raft.term());
        assertEquals(Role.FOLLOWER, net.node(3).raft.role());
        assertEquals(1, net.node(3).raft.leaderId());
    }
}
