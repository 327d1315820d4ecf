package io.raftmanager.core;

import static io.raftmanager.core.RuleFixtures.withHistory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.VoteRequest;
import io.raftmanager.proto.VoteResponse;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A voter removed by a committed change never campaigns again, but a remaining voter that missed the
 * commit still counts votes in the old configuration and may need the removed one's vote, which a longer
 * log makes it refuse. The refusal carries the refuser's commit index, so the remaining voter learns the
 * change committed, adopts it and wins alone (SimulatorTest seed 262 found the deadlock).
 */
class RemovedVoterRulesTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aVoterThatMissedTheCommitOfARemovalLearnsItFromTheRemovedVoter(boolean preVote) {
        TestNode one = TestNode.create(1, b -> b.preVote(preVote), 1, 2);
        TestNode two = TestNode.create(2, b -> b.preVote(preVote), 1, 2);
        TestNetwork net = new TestNetwork(one, two);
        one.raft.campaign();
        net.stabilize();
        assertEquals(Role.LEADER, one.raft.role());
        one.raft.propose(ByteString.copyFromUtf8("a"));
        net.stabilize();

        // 1 removes 2 and writes the change; its disk as a crash right now would leave it: the change in
        // the log, not known committed.
        one.raft.proposeMembershipChange(remove(2), false);
        net.collect(1);
        MemoryLogStorage crashedDisk = one.storage.afterPowerLoss();
        long changeIndex = crashedDisk.lastIndex();
        // One more entry reaches 2 but not that disk, so 2's log ends up longer than 1's after the crash.
        one.raft.propose(ByteString.copyFromUtf8("b"));
        net.stabilize();
        assertEquals(List.of(1L), two.raft.membership().getVotersList(), "2 applied its removal");
        assertTrue(two.raft.log().lastIndex() > changeIndex);

        TestNode restarted = one.restartOn(crashedDisk);
        net.replace(restarted);
        assertTrue(restarted.raft.log().committed() < changeIndex, "1 does not know the removal committed");
        assertEquals(List.of(1L, 2L), restarted.raft.membership().getVotersList());

        for (int i = 0; i < 100 && restarted.raft.role() != Role.LEADER; i++) {
            restarted.raft.tick();
            two.raft.tick();
            net.stabilize();
        }
        assertEquals(Role.LEADER, restarted.raft.role(), "1 must win alone once it knows 2 is gone");
        assertEquals(List.of(1L), restarted.raft.membership().getVotersList());
        assertTrue(two.raft.role() == Role.FOLLOWER, "a removed server never campaigns");
    }

    @ParameterizedTest
    @ValueSource(longs = {2, 3})
    void aCommitHintCountsOnlyWhenTheCandidateHoldsThatVeryEntry(long hintTerm) {
        // 1 holds entries 1..3 of terms 1, 1, 2 and knows 1 committed; a refusal says "committed up to 3,
        // whose term is <hintTerm>". Only term 2 (the entry 1 holds) proves 1's log committed up to 3.
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 3, 0, 1, 1, 1, 2);
        n.raft.campaign();
        n.processReady();
        n.raft.step(refusal(n, 2, n.raft.term(), 3, hintTerm));
        assertEquals(hintTerm == 2 ? 3 : 1, n.raft.log().committed());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRefusalCarriesTheCommitIndexAndItsTerm(boolean preVote) {
        TestNode n = withHistory(TestNode.create(2, 1, 2, 3), 3, 0, 2, 1, 2, 3);
        n.raft.step(RuleFixtures.voteRequest(n, 1, 4, 1, 1, preVote, false));
        RaftMessage out = RuleFixtures.single(n.processReady());
        VoteResponse r = out.getVoteResponse();
        assertEquals(false, r.getGranted(), "1's log is behind");
        assertEquals(2, r.getCommit());
        assertEquals(2, r.getCommitTerm());
    }

    private static RaftMessage refusal(TestNode to, long from, long term, long commit, long commitTerm) {
        return to.envelopeFrom(from, term)
                .setVoteResponse(VoteResponse.newBuilder().setCommit(commit).setCommitTerm(commitTerm))
                .build();
    }

    private static MembershipChange remove(long peer) {
        return MembershipChange.newBuilder()
                .addChanges(PeerChange.newBuilder()
                        .setType(PeerChangeType.PEER_CHANGE_TYPE_REMOVE)
                        .setPeer(peer))
                .build();
    }

    /**
     * A (pre-)vote request carries the candidate's commit index and its term: a server holding that entry
     * learns it is committed (so one promoted by a change it has not seen committed can campaign, simulator
     * JOINERS seed 4256); an entry of another term at that index teaches nothing.
     */
    @Test
    void aServerLearnsTheCommitFromAVoteRequestWhenItHoldsThatEntry() {
        TestNode three = withHistory(TestNode.create(3, b -> b.preVote(true), 1, 2, 3), 2, 0, 1, 1, 1, 2, 2);
        three.raft.step(voteRequestWithCommit(three, 3, 2));
        assertEquals(3, three.raft.log().committed(), "3 holds 2/3: its log is committed up to there");
        three.raft.step(voteRequestWithCommit(three, 4, 3));
        assertEquals(3, three.raft.log().committed(), "3's entry 4 is of term 2, not 3: nothing learned");
    }

    private static RaftMessage voteRequestWithCommit(TestNode to, long commit, long commitTerm) {
        return to.envelopeFrom(1, 4)
                .setVoteRequest(VoteRequest.newBuilder()
                        .setPreVote(true)
                        .setLastLogIndex(5)
                        .setLastLogTerm(3)
                        .setCommit(commit)
                        .setCommitTerm(commitTerm))
                .build();
    }
}
