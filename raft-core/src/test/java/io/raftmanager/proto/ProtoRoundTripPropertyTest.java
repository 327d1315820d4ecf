package io.raftmanager.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every message of raft.proto survives serialize → parse unchanged, with values at the edges of their
 * wire types (0, uint64 above Long.MAX_VALUE, unknown enum values, non-ASCII strings). The run also checks
 * that the generators set every field declared in raft.proto at least once, so a field added to the
 * schema without a generator here fails the test.
 */
class ProtoRoundTripPropertyTest {
    private final Set<String> fieldsSeen = new TreeSet<>();
    private final Set<RaftMessage.BodyCase> bodiesSeen = new TreeSet<>();

    @Test
    void everyMessageRoundTripsAndEveryFieldIsExercised() {
        qt().withExamples(10_000).forAll(longs().all()).checkAssert(seed -> {
            // One message per example, of a kind drawn uniformly: each RaftMessage body, or a standalone type.
            SplittableRandom r = new SplittableRandom(seed);
            RandomMessages gen = new RandomMessages(r);
            RaftMessage.BodyCase[] bodies = RaftMessage.BodyCase.values();
            int kind = r.nextInt(bodies.length + 6);
            if (kind < bodies.length) {
                RaftMessage m = gen.withBody(gen.envelope(), bodies[kind]);
                bodiesSeen.add(m.getBodyCase());
                roundTrip(m, RaftMessage.parser());
            } else {
                switch (kind - bodies.length) {
                    case 0 -> roundTrip(gen.entry(), Entry.parser());
                    case 1 -> roundTrip(gen.hardState(), HardState.parser());
                    case 2 -> roundTrip(gen.membership(), Membership.parser());
                    case 3 -> roundTrip(gen.snapshotMeta(), SnapshotMeta.parser());
                    case 4 -> roundTrip(gen.sessionEntry(), SessionEntry.parser());
                    default -> roundTrip(gen.membershipChange(), MembershipChange.parser());
                }
            }
        });
        assertEquals(Set.of(RaftMessage.BodyCase.values()), bodiesSeen, "every oneof body (and none) is generated");
        Set<String> declared = new TreeSet<>();
        for (Descriptor d : RaftProto.getDescriptor().getMessageTypes()) {
            d.getFields().forEach(f -> declared.add(f.getFullName()));
        }
        assertEquals(declared, fieldsSeen, "every field of raft.proto is set by some generated message");
    }

    private <T extends Message> void roundTrip(T message, Parser<T> parser) {
        byte[] bytes = message.toByteArray();
        assertEquals(message.getSerializedSize(), bytes.length);
        T parsed;
        try {
            parsed = parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("cannot parse " + message, e);
        }
        assertEquals(message, parsed);
        assertEquals(message.hashCode(), parsed.hashCode());
        assertArrayEquals(bytes, parsed.toByteArray(), "re-serialization is byte-identical");
        recordSetFields(message);
    }

    private void recordSetFields(Message m) {
        m.getAllFields().forEach((f, v) -> {
            fieldsSeen.add(f.getFullName());
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (f.isRepeated()) {
                    ((List<?>) v).forEach(x -> recordSetFields((Message) x));
                } else {
                    recordSetFields((Message) v);
                }
            }
        });
    }

    @Test
    void generatorsCoverEveryOneofBodyDeclaredInTheSchema() {
        Set<String> declared = RaftMessage.getDescriptor().getOneofs().get(0).getFields().stream()
                .map(FieldDescriptor::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> generated = new TreeSet<>();
        SplittableRandom r = new SplittableRandom(1);
        for (RaftMessage.BodyCase c : RaftMessage.BodyCase.values()) {
            RaftMessage m = new RandomMessages(r).withBody(RaftMessage.newBuilder(), c);
            m.getAllFields().keySet().stream()
                    .filter(f -> f.getContainingOneof() != null)
                    .forEach(f -> generated.add(f.getName()));
        }
        assertEquals(declared, generated);
    }

    /** Random instances of every message type, favouring edge values. */
    static final class RandomMessages {
        private final SplittableRandom r;

        RandomMessages(SplittableRandom r) {
            this.r = r;
        }

        long u64() {
            return switch (r.nextInt(6)) {
                case 0 -> 0;
                case 1 -> r.nextLong(1, 1000);
                case 2 -> Long.MAX_VALUE;
                case 3 -> -1; // uint64 max
                case 4 -> Long.MIN_VALUE | r.nextLong(); // above Long.MAX_VALUE as uint64
                default -> r.nextLong();
            };
        }

        int u32() {
            return r.nextInt(4) == 0 ? 0 : r.nextInt();
        }

        boolean bool() {
            return r.nextBoolean();
        }

        ByteString bytes() {
            byte[] b = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(1, 64)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) r.nextInt(256);
            }
            return ByteString.copyFrom(b);
        }

        String string() {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(4) == 0 ? 0 : r.nextInt(1, 12);
            for (int i = 0; i < n; i++) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(0x20, 0x7f);
                    case 1 -> r.nextInt(0x80, 0xd800); // two and three byte UTF-8
                    case 2 -> r.nextInt(0x10000, 0x110000); // surrogate pairs, four byte UTF-8
                    default -> r.nextInt(0, 0x20);
                };
                sb.appendCodePoint(cp);
            }
            return sb.toString();
        }

        /** A known enum number, or (one time in five) a number this schema does not define. */
        int enumValue(int known) {
            return r.nextInt(5) == 0
                    ? (r.nextBoolean() ? -r.nextInt(1, 100) : r.nextInt(known, 1 << 20))
                    : r.nextInt(known);
        }

        Entry entry() {
            return Entry.newBuilder()
                    .setTerm(u64())
                    .setIndex(u64())
                    .setTypeValue(enumValue(EntryType.values().length - 1))
                    .setData(bytes())
                    .build();
        }

        HardState hardState() {
            return HardState.newBuilder()
                    .setTerm(u64())
                    .setVote(u64())
                    .setCommit(u64())
                    .setRecovering(bool())
                    .build();
        }

        private List<Long> ids() {
            return r.longs(r.nextInt(6), 0, 10)
                    .map(x -> x == 9 ? -1 : x)
                    .boxed()
                    .toList();
        }

        Membership membership() {
            return Membership.newBuilder()
                    .addAllVoters(ids())
                    .addAllLearners(ids())
                    .addAllVotersOutgoing(ids())
                    .addAllLearnersNext(ids())
                    .setAutoLeave(bool())
                    .addAllRemoved(ids())
                    .build();
        }

        SessionEntry sessionEntry() {
            return SessionEntry.newBuilder()
                    .setLeaderTimeMillis(u64())
                    .setLeaderElapsedMillis(u64())
                    .setSessionId(u64())
                    .setSequence(u64())
                    .setCommand(bytes())
                    .build();
        }

        MembershipChange membershipChange() {
            MembershipChange.Builder b = MembershipChange.newBuilder()
                    .setTransitionValue(enumValue(MembershipTransition.values().length - 1));
            for (int i = r.nextInt(4); i > 0; i--) {
                b.addChanges(PeerChange.newBuilder()
                        .setTypeValue(enumValue(PeerChangeType.values().length - 1))
                        .setPeer(u64()));
            }
            if (bool()) {
                b.setResulting(membership());
            }
            return b.build();
        }

        SnapshotMeta snapshotMeta() {
            SnapshotMeta.Builder b = SnapshotMeta.newBuilder()
                    .setIndex(u64())
                    .setTerm(u64())
                    .setSizeBytes(u64())
                    .setChecksum(u32());
            if (bool()) {
                b.setMembership(membership());
            }
            return b.build();
        }

        RaftMessage.Builder envelope() {
            return RaftMessage.newBuilder()
                    .setFormatVersion(r.nextInt(3) == 0 ? u32() : r.nextInt(3))
                    .setClusterId(string())
                    .setGroupId(u64())
                    .setFrom(u64())
                    .setTo(u64())
                    .setTerm(u64());
        }

        RaftMessage withBody(RaftMessage.Builder b, RaftMessage.BodyCase body) {
            switch (body) {
                case VOTE_REQUEST ->
                    b.setVoteRequest(VoteRequest.newBuilder()
                            .setPreVote(bool())
                            .setLastLogIndex(u64())
                            .setLastLogTerm(u64())
                            .setLeadershipTransfer(bool())
                            .setCommit(u64())
                            .setCommitTerm(u64()));
                case VOTE_RESPONSE ->
                    b.setVoteResponse(VoteResponse.newBuilder()
                            .setPreVote(bool())
                            .setGranted(bool())
                            .setCommit(u64())
                            .setCommitTerm(u64()));
                case APPEND_REQUEST -> {
                    AppendEntriesRequest.Builder a = AppendEntriesRequest.newBuilder()
                            .setPrevLogIndex(u64())
                            .setPrevLogTerm(u64())
                            .setLeaderCommit(u64());
                    for (int i = r.nextInt(4); i > 0; i--) {
                        a.addEntries(entry());
                    }
                    b.setAppendRequest(a);
                }
                case APPEND_RESPONSE ->
                    b.setAppendResponse(AppendEntriesResponse.newBuilder()
                            .setSuccess(bool())
                            .setMatchIndex(u64())
                            .setRejectedIndex(u64())
                            .setRejectHintIndex(u64())
                            .setRejectHintTerm(u64()));
                case HEARTBEAT_REQUEST ->
                    b.setHeartbeatRequest(HeartbeatRequest.newBuilder()
                            .setCommit(u64())
                            .setContext(bytes())
                            .setQuiesce(bool()));
                case HEARTBEAT_RESPONSE ->
                    b.setHeartbeatResponse(
                            HeartbeatResponse.newBuilder().setContext(bytes()).setQuiesced(bool()));
                case TIMEOUT_NOW -> b.setTimeoutNow(TimeoutNow.getDefaultInstance());
                case INSTALL_SNAPSHOT_REQUEST -> {
                    InstallSnapshotRequest.Builder s = InstallSnapshotRequest.newBuilder()
                            .setOffset(u64())
                            .setData(bytes())
                            .setChunkChecksum(u32())
                            .setDone(bool());
                    if (bool()) {
                        s.setMeta(snapshotMeta());
                    }
                    b.setInstallSnapshotRequest(s);
                }
                case INSTALL_SNAPSHOT_RESPONSE ->
                    b.setInstallSnapshotResponse(InstallSnapshotResponse.newBuilder()
                            .setSnapshotIndex(u64())
                            .setNextOffset(u64())
                            .setSuccess(bool())
                            .setSnapshotTerm(u64())
                            .setComplete(bool())
                            .setAbandon(bool()));
                case READ_INDEX_REQUEST ->
                    b.setReadIndexRequest(ReadIndexRequest.newBuilder().setContext(bytes()));
                case READ_INDEX_RESPONSE ->
                    b.setReadIndexResponse(ReadIndexResponse.newBuilder()
                            .setContext(bytes())
                            .setReadIndex(u64())
                            .setSuccess(bool()));
                case DIGEST_REPORT ->
                    b.setDigestReport(DigestReport.newBuilder().setIndex(u64()).setDigest(u64()));
                case DIVERGENCE_NOTICE ->
                    b.setDivergenceNotice(DivergenceNotice.newBuilder()
                            .setIndex(u64())
                            .setExpectedDigest(u64())
                            .setReportedDigest(u64()));
                case RECOVERY_PROBE ->
                    b.setRecoveryProbe(io.raftmanager.proto.RecoveryProbe.newBuilder()
                            .setSequence(u64())
                            .setLastIndex(u64()));
                case RECOVERY_PROBE_RESPONSE ->
                    b.setRecoveryProbeResponse(io.raftmanager.proto.RecoveryProbeResponse.newBuilder()
                            .setSequence(u64())
                            .setLastIndex(u64())
                            .setLastTerm(u64())
                            .setCommit(u64())
                            .setRecovering(bool())
                            .addConfigurations(io.raftmanager.proto.ConfigurationAt.newBuilder()
                                    .setMembership(membership())
                                    .setIndex(u64())
                                    .setApplied(bool())));
                case HEARTBEAT_BATCH ->
                    b.setHeartbeatBatch(HeartbeatBatch.newBuilder()
                            .addHeartbeats(CoalescedHeartbeat.newBuilder()
                                    .setGroupId(u64())
                                    .setTerm(u64())
                                    .setResponse(bool())
                                    .setCommit(u64())
                                    .setContext(bytes())
                                    .setQuiesce(bool())));
                case BODY_NOT_SET -> b.clearBody();
            }
            return b.build();
        }
    }
}
