package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The messages the runtime's workers pass each other. Each is handled on its receiver's thread. */
final class Inputs {
    private Inputs() {}

    /**
     * A client command waiting to be proposed: a plain one ({@code sessionId} 0 and {@code sequence} 0), a
     * command in a session, or a session registration ({@code sessionId} 0, {@code sequence} -1).
     */
    record Proposal(ByteString command, long sessionId, long sequence, CompletableFuture<ByteString> future) {
        static final long REGISTER = -1;

        Proposal(ByteString command, CompletableFuture<ByteString> future) {
            this(command, 0, 0, future);
        }

        boolean inSession() {
            return sessionId != 0 || sequence == REGISTER;
        }
    }

    /** A proposal in the log, waiting to be applied at {@code index} if that entry still has {@code term}. */
    record PendingProposal(long term, CompletableFuture<ByteString> future) {}

    /** The writes of every Ready up to {@code readyNumber} are durable ({@code count} Readys in this batch). */
    record Persisted(long readyNumber, int count, List<RaftMessage> messagesAfterPersist) {}

    /** The state machine has applied up to {@code index}. */
    record Applied(long index) {}

    /**
     * Committed entries for the applier, with the futures of those this server proposed (null where none)
     * and the membership in effect after them (null if they change none).
     */
    record ApplyBatch(List<Entry> entries, List<CompletableFuture<ByteString>> futures, Membership membership) {}

    /** Applier: replace the state machine's state by the snapshot (after every earlier batch). */
    record Restore(SnapshotMeta meta) {}

    /** Applier: take a snapshot now (snapshotNow); completes with its metadata. */
    record SnapshotNow(CompletableFuture<SnapshotMeta> future) {}

    /** Loop: a local snapshot is durable; compact the log behind it. */
    record SnapshotTaken(SnapshotMeta meta) {}

    /** Loop: a snapshot transfer to {@code peer} ended. */
    record SnapshotReport(long peer, boolean succeeded) {}

    /** Loop: a snapshot from the leader is complete and verified in the store; {@code message} tells the core. */
    record SnapshotReceived(RaftMessage message) {}

    /** Transfer worker: stream the latest snapshot to the peer the core's request names. */
    record SendSnapshot(RaftMessage request) {}

    /** Transfer worker: this server stopped leading; abandon every outbound transfer. */
    record StopSending() {}

    /** A read-only query to run against the state machine once it has applied {@code index}. */
    record Query(ByteString query, long index, CompletableFuture<ByteString> future) {}

    /** A read waiting for its ReadIndex confirmation; it times out at {@code deadlineNanos}. */
    record PendingRead(ByteString query, CompletableFuture<ByteString> future, long deadlineNanos) {}

    /** A read to start on the loop: confirm leadership (or use the lease), then query. */
    record Read(ByteString query, boolean allowLease, CompletableFuture<ByteString> future) {}

    /** A membership change to propose. */
    record ChangeMembership(MembershipChange change, boolean force, CompletableFuture<Membership> future) {}

    /** A configuration entry in the log, waiting to take effect. */
    record PendingChange(long index, long term, CompletableFuture<Membership> future) {}

    /** A leadership transfer to start. */
    record Transfer(long target, CompletableFuture<Void> future) {}

    /** A worker failed in a way that makes the node unsafe to continue. */
    record Fatal(String where, Throwable cause) {}
}
