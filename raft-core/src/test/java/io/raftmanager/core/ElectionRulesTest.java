package io.raftmanager.core;

import static io.raftmanager.core.RuleFixtures.atTerm;
import static io.raftmanager.core.RuleFixtures.elect;
import static io.raftmanager.core.RuleFixtures.heartbeat;
import static io.raftmanager.core.RuleFixtures.ofKind;
import static io.raftmanager.core.RuleFixtures.sentTo;
import static io.raftmanager.core.RuleFixtures.single;
import static io.raftmanager.core.RuleFixtures.voteRequest;
import static io.raftmanager.core.RuleFixtures.voteResponse;
import static io.raftmanager.core.RuleFixtures.withHistory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.RaftConfig;
import io.raftmanager.Role;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.RaftMessage.BodyCase;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Leader election (Raft §5.1, §5.2, §5.4.1), one rule per test. Nodes 1..n; node 1 is the one observed. */
class ElectionRulesTest {

    /** Brings node 1 of a three-node cluster into {@code role} at term 1 (PreVote on for the pre-candidate). */
    private static TestNode inRole(Role role) {
        TestNode n = TestNode.create(1, b -> b.preVote(role == Role.PRE_CANDIDATE), 1, 2, 3);
        switch (role) {
            case FOLLOWER -> atTerm(n, 1);
            case PRE_CANDIDATE -> {
                atTerm(n, 1);
                n.raft.campaign();
            }
            case CANDIDATE -> n.raft.campaign();
            case LEADER -> elect(n);
        }
        n.processReady();
        assertEquals(role, n.raft.role());
        assertEquals(1, n.raft.term());
        return n;
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void everyRoleAdoptsHigherTermAndBecomesFollower(Role role) {
        TestNode n = inRole(role);

        n.raft.step(heartbeat(n, 2, 5, 0));

        assertEquals(Role.FOLLOWER, n.raft.role());
        assertEquals(5, n.raft.term());
        assertEquals(2, n.raft.leaderId());
        assertEquals(0, n.raft.status().vote(), "a new term starts with no vote");
    }

    @Test
    void messageWithStaleTermIsRefusedWithOurTerm() {
        TestNode n = atTerm(TestNode.create(1, 1, 2, 3), 3);

        n.raft.step(heartbeat(n, 2, 2, 0));
        n.raft.step(voteRequest(n, 2, 2, 0, 0));

        // Figure 2: the stale leader's heartbeat is answered with our term, so it steps down; the vote
        // request is ignored. Neither changes our state.
        List<RaftMessage> out = n.processReady();
        assertEquals(1, out.size(), out::toString);
        assertEquals(RaftMessage.BodyCase.APPEND_RESPONSE, out.get(0).getBodyCase());
        assertEquals(3, out.get(0).getTerm());
        assertEquals(2, out.get(0).getTo());
        assertEquals(3, n.raft.term());
        assertEquals(0, n.raft.leaderId());
        assertEquals(0, n.raft.status().vote());
    }

    @Test
    void followerStartsElectionWhenElectionTimeoutElapses() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        int timeout = n.raft.randomizedElectionTimeout;

        for (int i = 1; i < timeout; i++) {
            n.raft.tick();
        }
        assertEquals(Role.FOLLOWER, n.raft.role(), "one tick before the timeout");
        n.raft.tick();

        assertEquals(Role.CANDIDATE, n.raft.role());
        assertEquals(1, n.raft.term());
    }

    @Test
    void candidateVotesForItselfAndAsksEveryVoter() {
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 2, 0, 0, 1, 2);

        n.raft.campaign();
        Ready rd = n.raft.ready();

        assertEquals(3, rd.hardState().getTerm());
        assertEquals(1, rd.hardState().getVote(), "a candidate votes for itself");
        assertTrue(rd.mustSync());
        // The requests wait for the new term and the self-vote to be durable (Figure 2).
        assertEquals(List.of(), rd.messages());
        assertEquals(
                Set.of(2L, 3L),
                rd.messagesAfterPersist().stream().map(RaftMessage::getTo).collect(Collectors.toSet()));
        for (RaftMessage m : rd.messagesAfterPersist()) {
            assertEquals(BodyCase.VOTE_REQUEST, m.getBodyCase());
            assertEquals(3, m.getTerm());
            assertFalse(m.getVoteRequest().getPreVote());
            assertEquals(2, m.getVoteRequest().getLastLogIndex());
            assertEquals(2, m.getVoteRequest().getLastLogTerm());
        }
    }

    @Test
    void candidateWinsWithVotesFromMajority() {
        TestNode n = TestNode.create(1, 1, 2, 3, 4, 5);
        n.raft.campaign();
        n.processReady();

        n.raft.step(voteResponse(n, 2, 1, false, true));
        assertEquals(Role.CANDIDATE, n.raft.role(), "two of five is not a majority");
        n.raft.step(voteResponse(n, 3, 1, false, true));

        assertEquals(Role.LEADER, n.raft.role());
        assertEquals(1, n.raft.leaderId());
    }

    @Test
    void candidateLosesWhenMajorityRejects() {
        TestNode n = TestNode.create(1, 1, 2, 3, 4, 5);
        n.raft.campaign();
        n.processReady();

        n.raft.step(voteResponse(n, 2, 1, false, false));
        n.raft.step(voteResponse(n, 3, 1, false, false));
        assertEquals(Role.CANDIDATE, n.raft.role(), "a majority can still be reached");
        n.raft.step(voteResponse(n, 4, 1, false, false));

        assertEquals(Role.FOLLOWER, n.raft.role());
        assertEquals(1, n.raft.term(), "losing does not change the term");
        assertEquals(0, n.raft.leaderId());
    }

    @Test
    void candidateStaysCandidateOnSplitVoteAndRetriesInNextTerm() {
        TestNode n = TestNode.create(1, 1, 2, 3, 4, 5);
        n.raft.campaign();
        n.processReady();
        n.raft.step(voteResponse(n, 2, 1, false, true));
        n.raft.step(voteResponse(n, 3, 1, false, false));
        n.raft.step(voteResponse(n, 4, 1, false, false));
        assertEquals(Role.CANDIDATE, n.raft.role(), "two granted, two rejected, one silent");

        int timeout = n.raft.randomizedElectionTimeout;
        for (int i = 0; i < timeout; i++) {
            n.raft.tick();
        }

        assertEquals(Role.CANDIDATE, n.raft.role());
        assertEquals(2, n.raft.term(), "a new election starts in a new term");
        assertEquals(4, ofKind(n.processReady(), BodyCase.VOTE_REQUEST).size());
    }

    @Test
    void followerVotesAtMostOncePerTermFirstComeFirstServed() {
        TestNode n = TestNode.create(1, 1, 2, 3);

        n.raft.step(voteRequest(n, 2, 1, 0, 0));
        List<RaftMessage> first = n.processReady();
        n.raft.step(voteRequest(n, 3, 1, 0, 0));
        List<RaftMessage> second = n.processReady();
        n.raft.step(voteRequest(n, 2, 1, 0, 0));
        List<RaftMessage> repeat = n.processReady();

        assertTrue(single(first).getVoteResponse().getGranted());
        assertFalse(single(second).getVoteResponse().getGranted(), "already voted for 2 in term 1");
        assertTrue(single(repeat).getVoteResponse().getGranted(), "a repeated request gets the same answer");
        assertEquals(2, n.raft.status().vote());
    }

    @Test
    void voteSurvivesRestartSoNoSecondVoteInSameTerm() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.step(voteRequest(n, 2, 1, 0, 0));
        n.processReady();

        n.restart();
        n.raft.step(voteRequest(n, 3, 1, 0, 0));

        assertFalse(single(n.processReady()).getVoteResponse().getGranted());
        assertEquals(2, n.raft.status().vote());
    }

    /** Voter log: terms [1, 1, 2], so last entry (index 3, term 2). */
    @ParameterizedTest(name = "candidate last entry {0}@{1} granted={2}")
    @CsvSource({
        "5, 1, false", // lower last term loses however long the log
        "2, 2, false", // same last term, shorter log
        "3, 2, true", // same last term, same length
        "4, 2, true", // same last term, longer log
        "1, 3, true", // higher last term wins however short the log
    })
    void followerGrantsVoteOnlyToCandidateWithUpToDateLog(long lastIndex, long lastTerm, boolean granted) {
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 2, 0, 0, 1, 1, 2);

        n.raft.step(voteRequest(n, 2, 3, lastIndex, lastTerm));

        RaftMessage answer = single(n.processReady());
        assertEquals(granted, answer.getVoteResponse().getGranted());
        assertEquals(granted ? 2 : 0, n.raft.status().vote());
        assertEquals(3, n.raft.term(), "the term is adopted whatever the answer");
    }

    @Test
    void candidateReturnsToFollowerOnAppendFromLeaderOfSameTerm() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.campaign();
        n.processReady();

        n.raft.step(heartbeat(n, 3, 1, 0));

        assertEquals(Role.FOLLOWER, n.raft.role());
        assertEquals(1, n.raft.term());
        assertEquals(3, n.raft.leaderId());
        assertEquals(1, n.raft.status().vote(), "the vote cast in this term stays");
        assertEquals(
                BodyCase.HEARTBEAT_RESPONSE, single(sentTo(n.processReady(), 3)).getBodyCase());
    }

    @Test
    void candidateRejectsOtherCandidateOfSameTerm() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.campaign();
        n.processReady();

        n.raft.step(voteRequest(n, 2, 1, 0, 0));

        assertFalse(single(n.processReady()).getVoteResponse().getGranted());
        assertEquals(Role.CANDIDATE, n.raft.role());
    }

    @Test
    void electionTimeoutsAreRandomizedWithinOneToTwoElectionTimeouts() {
        RaftConfig config = TestNode.config(1).build();
        Set<Integer> seen = new TreeSet<>();

        for (long seed = 0; seed < 200; seed++) {
            MemoryLogStorage storage = MemoryLogStorage.withVoters(1, 2, 3);
            Raft raft = Raft.create(config, storage, storage.initialState(), new SplittableRandom(seed));
            int ticks = 0;
            while (raft.role() == Role.FOLLOWER) {
                raft.tick();
                ticks++;
            }
            seen.add(ticks);
        }

        assertTrue(seen.stream().allMatch(t -> t >= 10 && t < 20), "timeouts " + seen);
        assertTrue(seen.size() > 5, "timeouts should spread across seeds: " + seen);
    }

    @Test
    void candidateCountsOwnVoteOnlyAfterItIsPersisted() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.campaign();
        Ready rd = n.raft.ready();

        n.raft.step(voteResponse(n, 2, 1, false, true));
        assertEquals(Role.CANDIDATE, n.raft.role(), "one durable vote of three is not a majority");
        n.raft.persisted(rd.number());

        assertEquals(Role.LEADER, n.raft.role());
    }

    @Test
    void singleNodeBecomesLeaderOnlyAfterPersistingItsVote() {
        TestNode n = TestNode.create(1, 1);
        n.raft.campaign();
        Ready rd = n.raft.ready();
        assertEquals(Role.CANDIDATE, n.raft.role());
        assertNotNull(rd.hardState());

        n.raft.persisted(rd.number());

        assertEquals(Role.LEADER, n.raft.role());
        n.processReady();
        assertEquals(1, n.raft.log().committed(), "the leader's no-op commits on its own durable copy");
    }

    @Test
    void voteGrantIsSentOnlyAfterPersistingTheVote() {
        TestNode n = TestNode.create(1, 1, 2, 3);

        n.raft.step(voteRequest(n, 2, 4, 0, 0));
        Ready rd = n.raft.ready();

        assertEquals(List.of(), rd.messages());
        RaftMessage grant = single(rd.messagesAfterPersist());
        assertTrue(grant.getVoteResponse().getGranted());
        assertEquals(4, grant.getTerm());
        assertEquals(4, rd.hardState().getTerm());
        assertEquals(2, rd.hardState().getVote());
        assertTrue(rd.mustSync());
    }

    @Test
    void leaderRejectsVoteRequestOfItsOwnTerm() {
        TestNode n = elect(TestNode.create(1, 1, 2, 3));

        n.raft.step(voteRequest(n, 3, n.raft.term(), 10, n.raft.term()));

        assertFalse(single(ofKind(n.processReady(), BodyCase.VOTE_RESPONSE))
                .getVoteResponse()
                .getGranted());
        assertEquals(Role.LEADER, n.raft.role());
    }
}
