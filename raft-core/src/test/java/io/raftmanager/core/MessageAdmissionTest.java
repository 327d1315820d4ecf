package io.raftmanager.core;

import static io.raftmanager.core.MessageValidationTest.assertIgnored;
import static io.raftmanager.core.MessageValidationTest.follower;
import static io.raftmanager.core.MessageValidationTest.leader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.Role;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.TimeoutNow;
import io.raftmanager.proto.VoteRequest;
import io.raftmanager.proto.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Well-formed messages that the sender may not send or that claim the impossible: responses from
 * non-members (servers removed since the request went out), disruptive requests from non-members and
 * impossible acknowledgements are ignored, all without changing state.
 */
class MessageAdmissionTest {
    private static RaftMessage heartbeatWithCommit(TestNode n, long commit) {
        return n.envelopeFrom(2, 2)
                .setHeartbeatRequest(
                        HeartbeatRequest.newBuilder().setCommit(commit).setContext(ReadIndexTracker.encode(1)))
                .build();
    }

    @Test
    void responsesFromNonMembersAreIgnored() {
        TestNode n = leader();
        assertIgnored(
                n,
                n.envelopeFrom(9, 1)
                        .setAppendResponse(AppendEntriesResponse.newBuilder()
                                .setSuccess(true)
                                .setMatchIndex(1))
                        .build());
        assertIgnored(
                n,
                n.envelopeFrom(9, 1)
                        .setVoteResponse(VoteResponse.newBuilder().setGranted(true))
                        .build());
        assertIgnored(
                n,
                n.envelopeFrom(9, 1)
                        .setHeartbeatResponse(HeartbeatResponse.getDefaultInstance())
                        .build());
        assertIgnored(
                n,
                n.envelopeFrom(9, 7)
                        .setAppendResponse(AppendEntriesResponse.getDefaultInstance())
                        .build());
    }

    @Test
    void voteResponseFromNonMemberIsIgnoredByACandidate() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.campaign();
        n.processReady();
        assertIgnored(
                n,
                n.envelopeFrom(9, 1)
                        .setVoteResponse(VoteResponse.newBuilder().setGranted(true))
                        .build());
        assertEquals(Role.CANDIDATE, n.raft.role());
    }

    @Test
    void voteRequestsAndTimeoutNowFromNonMembersAreIgnored() {
        TestNode n = follower();
        assertIgnored(
                n,
                n.envelopeFrom(9, 7)
                        .setVoteRequest(
                                VoteRequest.newBuilder().setLastLogIndex(100).setLastLogTerm(6))
                        .build());
        assertIgnored(
                n,
                n.envelopeFrom(9, 7)
                        .setVoteRequest(VoteRequest.newBuilder()
                                .setPreVote(true)
                                .setLeadershipTransfer(true)
                                .setLastLogIndex(100)
                                .setLastLogTerm(6))
                        .build());
        assertIgnored(
                n,
                n.envelopeFrom(9, 7)
                        .setTimeoutNow(TimeoutNow.getDefaultInstance())
                        .build());
    }

    @Test
    void appendAckBeyondTheLeadersLastIndexIsIgnored() {
        TestNode n = leader();
        String progressBefore = n.raft.status().progress().get(2L);
        assertIgnored(
                n,
                n.envelopeFrom(2, 1)
                        .setAppendResponse(AppendEntriesResponse.newBuilder()
                                .setSuccess(true)
                                .setMatchIndex(2))
                        .build());
        assertEquals(progressBefore, n.raft.status().progress().get(2L));
        assertEquals(0, n.raft.status().commit());
    }

    @Test
    void heartbeatCommitBeyondTheFollowersLastIndexDoesNotAdvanceCommit() {
        TestNode n = follower();
        Status before = n.raft.status();
        n.raft.step(heartbeatWithCommit(n, 4));
        assertEquals(before, n.raft.status());
        assertTrue(n.raft.hasReady());
        Ready rd = n.raft.ready();
        assertNull(rd.hardState());
        assertNull(rd.softState());
        assertEquals(List.of(), rd.entriesToPersist());
        assertEquals(List.of(), rd.entriesToApply());
        assertEquals(List.of(), rd.messages());
        assertEquals(1, rd.messagesAfterPersist().size());
        assertTrue(rd.messagesAfterPersist().get(0).hasHeartbeatResponse());
        n.raft.advance(rd);

        // Control: a commit the follower can hold does advance.
        n.raft.step(heartbeatWithCommit(n, 3));
        assertEquals(3, n.raft.status().commit());
    }
}
