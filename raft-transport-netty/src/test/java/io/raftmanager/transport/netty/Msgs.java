package io.raftmanager.transport.netty;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.CoalescedHeartbeat;
import io.raftmanager.proto.DigestReport;
import io.raftmanager.proto.DivergenceNotice;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.FormatVersion;
import io.raftmanager.proto.HeartbeatBatch;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.InstallSnapshotResponse;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.ReadIndexRequest;
import io.raftmanager.proto.ReadIndexResponse;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.proto.TimeoutNow;
import io.raftmanager.proto.VoteRequest;
import io.raftmanager.proto.VoteResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Builders of test messages; every envelope is valid for {@link #CLUSTER} and {@link #GROUP}. */
final class Msgs {
    static final String CLUSTER = "test-cluster";
    static final long GROUP = 7;

    private Msgs() {}

    static RaftMessage.Builder envelope(long from, long to) {
        return RaftMessage.newBuilder()
                .setFormatVersion(FormatVersion.FORMAT_VERSION_1_VALUE)
                .setClusterId(CLUSTER)
                .setGroupId(GROUP)
                .setFrom(from)
                .setTo(to)
                .setTerm(3);
    }

    /** A heartbeat whose commit field carries {@code seq}, to check order. */
    static RaftMessage heartbeat(long from, long to, long seq) {
        return envelope(from, to)
                .setHeartbeatRequest(HeartbeatRequest.newBuilder().setCommit(seq))
                .build();
    }

    static RaftMessage append(long from, long to, int entries, int entryBytes) {
        AppendEntriesRequest.Builder b = AppendEntriesRequest.newBuilder()
                .setPrevLogIndex(10)
                .setPrevLogTerm(2)
                .setLeaderCommit(9);
        ByteString data = ByteString.copyFrom(new byte[entryBytes]);
        for (int i = 0; i < entries; i++) {
            b.addEntries(Entry.newBuilder()
                    .setIndex(11 + i)
                    .setTerm(3)
                    .setType(EntryType.ENTRY_TYPE_NORMAL)
                    .setData(data));
        }
        return envelope(from, to).setAppendRequest(b).build();
    }

    static RaftMessage snapshotChunk(long from, long to, long offset, int bytes) {
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) (offset + i);
        }
        return envelope(from, to)
                .setInstallSnapshotRequest(InstallSnapshotRequest.newBuilder()
                        .setMeta(SnapshotMeta.newBuilder()
                                .setIndex(100)
                                .setTerm(2)
                                .setSizeBytes(1L << 30))
                        .setOffset(offset)
                        .setData(ByteString.copyFrom(data)))
                .build();
    }

    /** One message of every body kind, keyed by kind. */
    static Map<RaftMessage.BodyCase, RaftMessage> everyKind(long from, long to) {
        List<RaftMessage> all = new ArrayList<>();
        all.add(envelope(from, to)
                .setVoteRequest(VoteRequest.newBuilder()
                        .setPreVote(true)
                        .setLastLogIndex(5)
                        .setLastLogTerm(2)
                        .setLeadershipTransfer(true))
                .build());
        all.add(envelope(from, to)
                .setVoteResponse(VoteResponse.newBuilder()
                        .setPreVote(true)
                        .setGranted(true)
                        .setCommit(9)
                        .setCommitTerm(2))
                .build());
        all.add(append(from, to, 3, 17));
        all.add(envelope(from, to)
                .setAppendResponse(AppendEntriesResponse.newBuilder()
                        .setSuccess(false)
                        .setMatchIndex(4)
                        .setRejectedIndex(9)
                        .setRejectHintIndex(6)
                        .setRejectHintTerm(1))
                .build());
        all.add(envelope(from, to)
                .setHeartbeatRequest(HeartbeatRequest.newBuilder()
                        .setCommit(8)
                        .setContext(ByteString.copyFromUtf8("ctx"))
                        .setQuiesce(true))
                .build());
        all.add(envelope(from, to)
                .setHeartbeatResponse(HeartbeatResponse.newBuilder()
                        .setContext(ByteString.copyFromUtf8("ctx"))
                        .setQuiesced(true))
                .build());
        all.add(envelope(from, to)
                .setTimeoutNow(TimeoutNow.getDefaultInstance())
                .build());
        all.add(envelope(from, to)
                .setInstallSnapshotRequest(InstallSnapshotRequest.newBuilder()
                        .setMeta(SnapshotMeta.newBuilder()
                                .setIndex(100)
                                .setTerm(2)
                                .setSizeBytes(3)
                                .setChecksum(42)
                                .setMembership(Membership.newBuilder()
                                        .addVoters(1)
                                        .addVoters(2)
                                        .addLearners(3)))
                        .setOffset(0)
                        .setData(ByteString.copyFromUtf8("abc"))
                        .setChunkChecksum(99)
                        .setDone(true))
                .build());
        all.add(envelope(from, to)
                .setInstallSnapshotResponse(InstallSnapshotResponse.newBuilder()
                        .setSnapshotIndex(100)
                        .setNextOffset(3)
                        .setSuccess(true))
                .build());
        all.add(envelope(from, to)
                .setReadIndexRequest(ReadIndexRequest.newBuilder().setContext(ByteString.copyFromUtf8("r")))
                .build());
        all.add(envelope(from, to)
                .setReadIndexResponse(ReadIndexResponse.newBuilder()
                        .setContext(ByteString.copyFromUtf8("r"))
                        .setReadIndex(77)
                        .setSuccess(true))
                .build());
        all.add(envelope(from, to)
                .setDigestReport(DigestReport.newBuilder().setIndex(50).setDigest(0x1234_5678_9abcL))
                .build());
        all.add(envelope(from, to)
                .setDivergenceNotice(DivergenceNotice.newBuilder()
                        .setIndex(50)
                        .setExpectedDigest(1)
                        .setReportedDigest(2))
                .build());
        all.add(envelope(from, to)
                .setRecoveryProbe(io.raftmanager.proto.RecoveryProbe.newBuilder()
                        .setSequence(3)
                        .setLastIndex(7))
                .build());
        all.add(envelope(from, to)
                .setRecoveryProbeResponse(io.raftmanager.proto.RecoveryProbeResponse.newBuilder()
                        .setSequence(3)
                        .setLastIndex(40)
                        .setLastTerm(4)
                        .setCommit(39)
                        .setRecovering(true))
                .build());
        all.add(envelope(from, to)
                .setGroupId(0) // a batch spans groups: accepted whatever the served groups
                .setHeartbeatBatch(HeartbeatBatch.newBuilder()
                        .addHeartbeats(CoalescedHeartbeat.newBuilder()
                                .setGroupId(GROUP)
                                .setTerm(3)
                                .setCommit(8)
                                .setContext(ByteString.copyFromUtf8("ctx")))
                        .addHeartbeats(CoalescedHeartbeat.newBuilder()
                                .setGroupId(GROUP)
                                .setTerm(3)
                                .setResponse(true)))
                .build());
        Map<RaftMessage.BodyCase, RaftMessage> byKind = new EnumMap<>(RaftMessage.BodyCase.class);
        for (RaftMessage m : all) {
            byKind.put(m.getBodyCase(), m);
        }
        return byKind;
    }
}
