package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.InvalidMessageException.Reason;
import io.raftmanager.Role;
import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.TimeoutNow;
import io.raftmanager.proto.VoteRequest;
import io.raftmanager.proto.VoteResponse;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input to {@link Raft#step}: refused with a typed reason, or ignored, and never a change of state. */
class MessageValidationTest {
    /** Everything observable about a core that a refused message must not touch. */
    record Fingerprint(Status status, int electionElapsed, int heartbeatElapsed, int timeout, String membership) {
        static Fingerprint of(Raft r) {
            return new Fingerprint(
                    r.status(),
                    r.electionElapsed,
                    r.heartbeatElapsed,
                    r.randomizedElectionTimeout,
                    r.membership().toString());
        }
    }

    static Entry entry(long term, long index) {
        return Entry.newBuilder()
                .setTerm(term)
                .setIndex(index)
                .setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFromUtf8("x" + index))
                .build();
    }

    static AppendEntriesRequest.Builder append(long prevIndex, long prevTerm, long commit, Entry... entries) {
        return AppendEntriesRequest.newBuilder()
                .setPrevLogIndex(prevIndex)
                .setPrevLogTerm(prevTerm)
                .setLeaderCommit(commit)
                .addAllEntries(List.of(entries));
    }

    /** Node 1 of {1, 2, 3}: a follower of 2 at term 2 holding entries 1..3, commit 1, 3 ticks since the leader spoke. */
    static TestNode follower() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.step(n.envelopeFrom(2, 2)
                .setAppendRequest(append(0, 0, 1, entry(2, 1), entry(2, 2), entry(2, 3)))
                .build());
        n.processReady();
        for (int i = 0; i < 3; i++) {
            n.raft.tick();
        }
        n.processReady();
        assertEquals(
                new Status(
                        1,
                        2,
                        0,
                        Role.FOLLOWER,
                        2,
                        1,
                        1,
                        3,
                        n.storage.initialState().membership(),
                        0,
                        java.util.Map.of()),
                n.raft.status());
        return n;
    }

    /** Node 1 of {1, 2, 3}: leader at term 1 with its no-op at index 1. */
    static TestNode leader() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.campaign();
        n.processReady();
        n.raft.step(n.envelopeFrom(2, 1)
                .setVoteResponse(VoteResponse.newBuilder().setGranted(true))
                .build());
        n.processReady();
        assertEquals(Role.LEADER, n.raft.role());
        assertEquals(1, n.raft.log().lastIndex());
        return n;
    }

    static void assertRefused(TestNode n, RaftMessage m, Reason reason) {
        Fingerprint before = Fingerprint.of(n.raft);
        InvalidMessageException e = assertThrows(InvalidMessageException.class, () -> n.raft.step(m));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(before, Fingerprint.of(n.raft), "state changed by a refused message");
        assertFalse(n.raft.hasReady(), "a refused message produced output");
    }

    static void assertIgnored(TestNode n, RaftMessage m) {
        Fingerprint before = Fingerprint.of(n.raft);
        n.raft.step(m);
        assertEquals(before, Fingerprint.of(n.raft), "state changed by an ignored message");
        assertFalse(n.raft.hasReady(), "an ignored message produced output");
    }

    private static Arguments refused(String name, Function<TestNode, RaftMessage> msg, Reason reason) {
        return Arguments.of(Named.of(name, msg), reason);
    }

    private static RaftMessage heartbeat(TestNode n, Function<RaftMessage.Builder, RaftMessage.Builder> tweak) {
        return tweak.apply(n.envelopeFrom(2, 2).setHeartbeatRequest(HeartbeatRequest.newBuilder()))
                .build();
    }

    private static RaftMessage appendFrom2(TestNode n, long term, AppendEntriesRequest.Builder a) {
        return n.envelopeFrom(2, term).setAppendRequest(a).build();
    }

    static Stream<Arguments> malformedForFollower() {
        return Stream.of(
                refused("wrong cluster", n -> heartbeat(n, b -> b.setClusterId("other")), Reason.WRONG_CLUSTER),
                refused("empty cluster", n -> heartbeat(n, b -> b.clearClusterId()), Reason.WRONG_CLUSTER),
                refused("wrong group", n -> heartbeat(n, b -> b.setGroupId(2)), Reason.WRONG_GROUP),
                refused("addressed to another server", n -> heartbeat(n, b -> b.setTo(3)), Reason.WRONG_RECIPIENT),
                refused("addressed to server 0", n -> heartbeat(n, b -> b.setTo(0)), Reason.WRONG_RECIPIENT),
                refused("from itself", n -> heartbeat(n, b -> b.setFrom(1)), Reason.WRONG_RECIPIENT),
                refused("from server 0", n -> heartbeat(n, b -> b.setFrom(0)), Reason.WRONG_RECIPIENT),
                refused("no body", n -> heartbeat(n, b -> b.clearBody()), Reason.MALFORMED),
                refused("format version 0", n -> heartbeat(n, b -> b.setFormatVersion(0)), Reason.MALFORMED),
                refused("format version 2", n -> heartbeat(n, b -> b.setFormatVersion(2)), Reason.UNSUPPORTED_VERSION),
                refused(
                        "format version 99",
                        n -> heartbeat(n, b -> b.setFormatVersion(99)),
                        Reason.UNSUPPORTED_VERSION),
                refused("negative term", n -> heartbeat(n, b -> b.setTerm(-1)), Reason.MALFORMED),
                refused("heartbeat at term 0", n -> heartbeat(n, b -> b.setTerm(0)), Reason.MALFORMED),
                refused(
                        "heartbeat negative commit",
                        n -> heartbeat(
                                n,
                                b -> b.setHeartbeatRequest(
                                        HeartbeatRequest.newBuilder().setCommit(-5))),
                        Reason.MALFORMED),
                refused(
                        "probe answer negative configuration index",
                        n -> n.envelopeFrom(3, 5)
                                .setRecoveryProbeResponse(io.raftmanager.proto.RecoveryProbeResponse.newBuilder()
                                        .addConfigurations(io.raftmanager.proto.ConfigurationAt.newBuilder()
                                                .setMembership(io.raftmanager.proto.Membership.newBuilder()
                                                        .addVoters(1))
                                                .setIndex(-1)))
                                .build(),
                        Reason.MALFORMED),
                refused(
                        "vote negative last index",
                        n -> n.envelopeFrom(3, 5)
                                .setVoteRequest(VoteRequest.newBuilder()
                                        .setLastLogIndex(-1)
                                        .setLastLogTerm(2))
                                .build(),
                        Reason.MALFORMED),
                refused(
                        "vote negative last term",
                        n -> n.envelopeFrom(3, 5)
                                .setVoteRequest(VoteRequest.newBuilder()
                                        .setLastLogIndex(9)
                                        .setLastLogTerm(Long.MIN_VALUE))
                                .build(),
                        Reason.MALFORMED),
                refused(
                        "vote last term above term",
                        n -> n.envelopeFrom(3, 5)
                                .setVoteRequest(VoteRequest.newBuilder()
                                        .setLastLogIndex(9)
                                        .setLastLogTerm(6))
                                .build(),
                        Reason.MALFORMED),
                refused(
                        "timeout-now at term 0",
                        n -> n.envelopeFrom(2, 0)
                                .setTimeoutNow(TimeoutNow.getDefaultInstance())
                                .build(),
                        Reason.MALFORMED),
                refused("append negative prev index", n -> appendFrom2(n, 2, append(-1, 0, 0)), Reason.MALFORMED),
                refused("append negative prev term", n -> appendFrom2(n, 2, append(3, -2, 0)), Reason.MALFORMED),
                refused("append negative commit", n -> appendFrom2(n, 2, append(3, 2, -1)), Reason.MALFORMED),
                refused("append prev term above term", n -> appendFrom2(n, 2, append(3, 3, 0)), Reason.MALFORMED),
                refused(
                        "append entries with a gap",
                        n -> appendFrom2(n, 2, append(3, 2, 0, entry(2, 4), entry(2, 6))),
                        Reason.MALFORMED),
                refused(
                        "append entries not after prev",
                        n -> appendFrom2(n, 2, append(3, 2, 0, entry(2, 3))),
                        Reason.MALFORMED),
                refused(
                        "append entry term above message term",
                        n -> appendFrom2(n, 2, append(3, 2, 0, entry(3, 4))),
                        Reason.MALFORMED),
                refused(
                        "append entry term below prev term",
                        n -> appendFrom2(n, 3, append(3, 2, 0, entry(3, 4), entry(1, 5))),
                        Reason.MALFORMED),
                refused("append entry term 0", n -> appendFrom2(n, 2, append(0, 0, 0, entry(0, 1))), Reason.MALFORMED),
                refused(
                        "append entry type unspecified",
                        n -> appendFrom2(
                                n,
                                2,
                                append(
                                        3,
                                        2,
                                        0,
                                        entry(2, 4).toBuilder().clearType().build())),
                        Reason.MALFORMED),
                refused(
                        "append entry type unknown",
                        n -> appendFrom2(
                                n,
                                2,
                                append(
                                        3,
                                        2,
                                        0,
                                        entry(2, 4).toBuilder().setTypeValue(42).build())),
                        Reason.MALFORMED),
                refused(
                        "append response negative match",
                        n -> n.envelopeFrom(2, 2)
                                .setAppendResponse(AppendEntriesResponse.newBuilder()
                                        .setSuccess(true)
                                        .setMatchIndex(-1))
                                .build(),
                        Reason.MALFORMED),
                refused(
                        "append response negative hint",
                        n -> n.envelopeFrom(2, 2)
                                .setAppendResponse(
                                        AppendEntriesResponse.newBuilder().setRejectHintTerm(-1))
                                .build(),
                        Reason.MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedForFollower")
    void invalidMessageIsRefusedWithoutChangingState(Function<TestNode, RaftMessage> msg, Reason reason) {
        TestNode n = follower();
        assertRefused(n, msg.apply(n), reason);
    }

    @Test
    void nullMessageIsRefusedAsMalformed() {
        assertRefused(follower(), null, Reason.MALFORMED);
    }

    @Test
    void formatVersionAboveIntMaxIsUnsupported() {
        TestNode n = follower();
        assertRefused(n, heartbeat(n, b -> b.setFormatVersion(-1)), Reason.UNSUPPORTED_VERSION);
    }
}
