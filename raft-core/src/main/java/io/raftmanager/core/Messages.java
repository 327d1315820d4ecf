package io.raftmanager.core;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.ReadIndexRequest;
import io.raftmanager.proto.ReadIndexResponse;
import io.raftmanager.proto.TimeoutNow;
import io.raftmanager.proto.VoteRequest;
import io.raftmanager.proto.VoteResponse;
import java.util.List;

/** Builds the messages a core sends, each in an envelope stamped with its cluster, group and sender. */
final class Messages {
    private Messages() {}

    static RaftMessage.Builder envelope(Raft r, long to, long term) {
        return RaftMessage.newBuilder()
                .setFormatVersion(MessageValidator.CURRENT_VERSION)
                .setClusterId(r.config.clusterId())
                .setGroupId(r.config.groupId())
                .setFrom(r.id)
                .setTo(to)
                .setTerm(term);
    }

    static RaftMessage voteRequest(
            Raft r, long to, long term, boolean pre, boolean transfer, long lastIndex, long lastTerm) {
        return envelope(r, to, term)
                .setVoteRequest(VoteRequest.newBuilder()
                        .setPreVote(pre)
                        .setLeadershipTransfer(transfer)
                        .setLastLogIndex(lastIndex)
                        .setLastLogTerm(lastTerm)
                        .setCommit(r.raftLog.committed())
                        .setCommitTerm(r.raftLog.termOrZero(r.raftLog.committed())))
                .build();
    }

    static RaftMessage voteResponse(Raft r, long to, long term, boolean pre, boolean granted) {
        return envelope(r, to, term)
                .setVoteResponse(VoteResponse.newBuilder().setPreVote(pre).setGranted(granted))
                .build();
    }

    /**
     * A refused (pre-)vote that tells the candidate what this server knows committed (nothing while it
     * recovers: what it holds is not yet confirmed).
     */
    static RaftMessage voteRefusal(Raft r, long to, long term, boolean pre) {
        long commit = r.recovery.active() ? 0 : r.raftLog.committed();
        return envelope(r, to, term)
                .setVoteResponse(VoteResponse.newBuilder()
                        .setPreVote(pre)
                        .setCommit(commit)
                        .setCommitTerm(r.raftLog.termOrZero(commit)))
                .build();
    }

    static RaftMessage append(Raft r, long to, long prevIndex, long prevTerm, List<Entry> entries, long commit) {
        return envelope(r, to, r.term)
                .setAppendRequest(AppendEntriesRequest.newBuilder()
                        .setPrevLogIndex(prevIndex)
                        .setPrevLogTerm(prevTerm)
                        .addAllEntries(entries)
                        .setLeaderCommit(commit))
                .build();
    }

    static RaftMessage appendAccept(Raft r, long to, long matchIndex) {
        return envelope(r, to, r.term)
                .setAppendResponse(
                        AppendEntriesResponse.newBuilder().setSuccess(true).setMatchIndex(matchIndex))
                .build();
    }

    static RaftMessage appendReject(Raft r, long to, long rejected, long hintIndex, long hintTerm) {
        return envelope(r, to, r.term)
                .setAppendResponse(AppendEntriesResponse.newBuilder()
                        .setSuccess(false)
                        .setRejectedIndex(rejected)
                        .setRejectHintIndex(hintIndex)
                        .setRejectHintTerm(hintTerm))
                .build();
    }

    /** The answer to a leader of an older term: carries only our term, so it steps down. */
    static RaftMessage appendRejectStale(Raft r, long to) {
        return envelope(r, to, r.term)
                .setAppendResponse(AppendEntriesResponse.newBuilder().setSuccess(false))
                .build();
    }

    static RaftMessage heartbeat(Raft r, long to, long commit, ByteString context, boolean quiesce) {
        return envelope(r, to, r.term)
                .setHeartbeatRequest(HeartbeatRequest.newBuilder()
                        .setCommit(commit)
                        .setContext(context)
                        .setQuiesce(quiesce))
                .build();
    }

    static RaftMessage heartbeatResponse(Raft r, long to, ByteString context, boolean quiesced) {
        return envelope(r, to, r.term)
                .setHeartbeatResponse(
                        HeartbeatResponse.newBuilder().setContext(context).setQuiesced(quiesced))
                .build();
    }

    static RaftMessage readIndexRequest(Raft r, long to, ByteString context) {
        return envelope(r, to, r.term)
                .setReadIndexRequest(ReadIndexRequest.newBuilder().setContext(context))
                .build();
    }

    static RaftMessage readIndexResponse(Raft r, long to, ByteString context, long index) {
        return envelope(r, to, r.term)
                .setReadIndexResponse(ReadIndexResponse.newBuilder()
                        .setContext(context)
                        .setReadIndex(index)
                        .setSuccess(true))
                .build();
    }

    /** To the runtime, not the wire: stream a snapshot at or after {@code atLeast} to {@code to}. */
    static RaftMessage installSnapshot(Raft r, long to, io.raftmanager.proto.SnapshotMeta atLeast) {
        return envelope(r, to, r.term)
                .setInstallSnapshotRequest(
                        io.raftmanager.proto.InstallSnapshotRequest.newBuilder().setMeta(atLeast))
                .build();
    }

    static RaftMessage timeoutNow(Raft r, long to) {
        return envelope(r, to, r.term)
                .setTimeoutNow(TimeoutNow.getDefaultInstance())
                .build();
    }
}
