package io.raftmanager.core.interaction;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmanager.core.ReadState;
import io.raftmanager.core.Ready;
import io.raftmanager.core.Status;
import io.raftmanager.core.confchange.Changer;
import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.VoteRequest;
import io.raftmanager.proto.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place that turns core values into transcript text. Output is stable: no hash codes, no
 * timestamps, no protobuf {@code toString()} (whose layout is not a contract). Ids are written
 * {@code term/index}.
 */
final class MessageFormatter {
    private MessageFormatter() {}

    /** {@code 1->2 MsgApp term=1 prev=1/0 commit=0 entries=[1/1 NO_OP]}. */
    static String message(RaftMessage m) {
        String head = m.getFrom() + "->" + m.getTo() + " ";
        String term = " term=" + m.getTerm();
        return head
                + switch (m.getBodyCase()) {
                    case VOTE_REQUEST -> voteRequest(m.getVoteRequest(), term);
                    case VOTE_RESPONSE -> voteResponse(m.getVoteResponse(), term);
                    case APPEND_REQUEST -> appendRequest(m.getAppendRequest(), term);
                    case APPEND_RESPONSE -> appendResponse(m.getAppendResponse(), term);
                    case HEARTBEAT_REQUEST ->
                        "MsgHeartbeat" + term + " commit="
                                + m.getHeartbeatRequest().getCommit()
                                + context(m.getHeartbeatRequest().getContext());
                    case HEARTBEAT_RESPONSE ->
                        "MsgHeartbeatResp" + term
                                + context(m.getHeartbeatResponse().getContext());
                    case TIMEOUT_NOW -> "MsgTimeoutNow" + term;
                    case INSTALL_SNAPSHOT_REQUEST -> snapshot(m.getInstallSnapshotRequest(), term);
                    case INSTALL_SNAPSHOT_RESPONSE ->
                        "MsgSnapResp" + term + " snap="
                                + m.getInstallSnapshotResponse().getSnapshotIndex()
                                + " next=" + m.getInstallSnapshotResponse().getNextOffset()
                                + (m.getInstallSnapshotResponse().getSuccess() ? " ok" : " failed");
                    case READ_INDEX_REQUEST ->
                        "MsgReadIndex" + term + context(m.getReadIndexRequest().getContext());
                    case READ_INDEX_RESPONSE ->
                        "MsgReadIndexResp" + term + " index="
                                + m.getReadIndexResponse().getReadIndex()
                                + (m.getReadIndexResponse().getSuccess() ? "" : " failed")
                                + context(m.getReadIndexResponse().getContext());
                    case DIGEST_REPORT ->
                        "MsgDigest" + term + " index=" + m.getDigestReport().getIndex() + " digest="
                                + Long.toHexString(m.getDigestReport().getDigest());
                    case DIVERGENCE_NOTICE ->
                        "MsgDiverged" + term + " index="
                                + m.getDivergenceNotice().getIndex();
                    case RECOVERY_PROBE ->
                        "MsgProbe" + term + " seq=" + m.getRecoveryProbe().getSequence();
                    case RECOVERY_PROBE_RESPONSE ->
                        "MsgProbeResp" + term + " last="
                                + m.getRecoveryProbeResponse().getLastIndex()
                                + " commit=" + m.getRecoveryProbeResponse().getCommit()
                                + (m.getRecoveryProbeResponse().getRecovering() ? " recovering" : "");
                    case HEARTBEAT_BATCH ->
                        "MsgHeartbeatBatch n=" + m.getHeartbeatBatch().getHeartbeatsCount();
                    case BODY_NOT_SET -> "MsgEmpty" + term;
                };
    }

    private static String voteRequest(VoteRequest v, String term) {
        return (v.getPreVote() ? "MsgPreVote" : "MsgVote") + term + " last=" + v.getLastLogTerm() + "/"
                + v.getLastLogIndex() + (v.getLeadershipTransfer() ? " transfer" : "");
    }

    private static String voteResponse(VoteResponse v, String term) {
        return (v.getPreVote() ? "MsgPreVoteResp" : "MsgVoteResp") + term + (v.getGranted() ? " granted" : " rejected");
    }

    private static String appendRequest(AppendEntriesRequest a, String term) {
        return "MsgApp" + term + " prev=" + a.getPrevLogTerm() + "/" + a.getPrevLogIndex() + " commit="
                + a.getLeaderCommit() + " entries=" + entries(a.getEntriesList());
    }

    private static String appendResponse(AppendEntriesResponse r, String term) {
        if (r.getSuccess()) {
            return "MsgAppResp" + term + " match=" + r.getMatchIndex();
        }
        return "MsgAppResp" + term + " reject=" + r.getRejectedIndex() + " hint=" + r.getRejectHintTerm() + "/"
                + r.getRejectHintIndex();
    }

    private static String snapshot(InstallSnapshotRequest s, String term) {
        return "MsgSnap" + term + " snap=" + s.getMeta().getTerm() + "/"
                + s.getMeta().getIndex() + " offset=" + s.getOffset() + " bytes="
                + s.getData().size() + (s.getDone() ? " done" : "");
    }

    private static String context(ByteString ctx) {
        return ctx.isEmpty() ? "" : " ctx=" + quote(ctx);
    }

    /** {@code 1/1 NO_OP}, {@code 1/2 "data"}, {@code 1/3 CONFIGURATION}. */
    static String entry(Entry e) {
        String id = e.getTerm() + "/" + e.getIndex() + " ";
        return switch (e.getType()) {
            case ENTRY_TYPE_NORMAL -> id + quote(e.getData());
            case ENTRY_TYPE_NO_OP -> id + "NO_OP";
            case ENTRY_TYPE_CONFIGURATION -> id + "CONFIGURATION " + change(e.getData());
            default -> id + e.getType();
        };
    }

    /** {@code v4 r1 => voters=[2, 3, 4]}, or {@code leave => ...}: the change and the configuration it makes. */
    static String change(ByteString data) {
        MembershipChange c;
        try {
            c = MembershipChange.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            return "<corrupt>";
        }
        List<String> parts = new ArrayList<>();
        for (PeerChange pc : c.getChangesList()) {
            String kind = switch (pc.getType()) {
                case PEER_CHANGE_TYPE_ADD_VOTER -> "v";
                case PEER_CHANGE_TYPE_ADD_LEARNER -> "l";
                case PEER_CHANGE_TYPE_REMOVE -> "r";
                default -> "?";
            };
            parts.add(kind + pc.getPeer());
        }
        String what = parts.isEmpty() ? "leave" : String.join(" ", parts);
        return what + " => " + Changer.describe(c.getResulting());
    }

    static String entries(List<Entry> es) {
        List<String> out = new ArrayList<>(es.size());
        for (Entry e : es) {
            out.add(entry(e));
        }
        return "[" + String.join(", ", out) + "]";
    }

    static String quote(ByteString data) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : data.toByteArray()) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append('"').toString();
    }

    static String hardState(HardState hs) {
        return "term=" + hs.getTerm() + " vote=" + hs.getVote() + " commit=" + hs.getCommit();
    }

    /** The lines describing one Ready, in the order the runtime carries it out. */
    static List<String> ready(Ready rd) {
        List<String> out = new ArrayList<>();
        if (rd.softState() != null) {
            out.add("soft: " + rd.softState().role() + " leader="
                    + rd.softState().leader());
        }
        if (rd.hardState() != null) {
            out.add("hard: " + hardState(rd.hardState()));
        }
        if (rd.snapshot() != null) {
            out.add("persist and install snapshot: " + rd.snapshot().getTerm() + "/"
                    + rd.snapshot().getIndex() + " "
                    + Changer.describe(rd.snapshot().getMembership()));
        }
        if (!rd.entriesToPersist().isEmpty()) {
            out.add("persist: " + entries(rd.entriesToPersist()));
        }
        for (RaftMessage m : rd.messages()) {
            out.add("send: " + message(m));
        }
        for (RaftMessage m : rd.messagesAfterPersist()) {
            out.add("send after persist: " + message(m));
        }
        if (!rd.entriesToApply().isEmpty()) {
            out.add("apply: " + entries(rd.entriesToApply()));
        }
        if (rd.membership() != null) {
            out.add("membership: " + Changer.describe(rd.membership()));
        }
        for (ReadState rs : rd.readStates()) {
            out.add("read: index=" + rs.index() + " context=" + rs.context().toStringUtf8());
        }
        return out;
    }

    /** The first line of a status: role, term, vote, leader and log positions. */
    static String status(Status s) {
        return s.id() + ": " + s.role() + " term=" + s.term() + " vote=" + s.vote() + " leader=" + s.leader()
                + " commit=" + s.commit() + " applied=" + s.applied() + " last=" + s.lastIndex()
                + (s.transferee() == 0 ? "" : " transferee=" + s.transferee());
    }

    /** The second line of a status: the configuration in effect. */
    static String membership(Status s) {
        return "  membership: " + Changer.describe(s.membership());
    }

    /** One line per member of the leader's progress map (already sorted by id). */
    static List<String> progress(Map<Long, String> progress) {
        List<String> out = new ArrayList<>();
        progress.forEach((peer, p) -> out.add("  " + peer + ": " + p));
        return out;
    }
}
