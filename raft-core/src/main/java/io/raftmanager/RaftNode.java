package io.raftmanager;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.SnapshotMeta;
import java.util.concurrent.CompletableFuture;

/**
 * One server of one Raft group, embedded in a host service: it replicates the commands proposed to it
 * and applies them, in the same order on every server, to the host's {@link StateMachine}.
 *
 * <p>Build one with {@link #builder()}, then {@link #start()} it. Every operation returns a future and
 * is safe to call from any thread; futures complete exceptionally with a {@link RaftException}: {@link
 * NotLeaderException} (retry at the leader it names), {@link OverloadedException}, {@link
 * ProposalDroppedException} (definitely not applied), {@link IndeterminateResultException} (may or may
 * not have been applied), {@link ClosedException}.
 */
public interface RaftNode extends AutoCloseable {
    /** A builder for a node; see {@link RaftNodeBuilder}. */
    static RaftNodeBuilder builder() {
        return new RaftNodeBuilder();
    }

    /** Starts the node's threads and its transport. Idempotent. */
    void start();

    /**
     * Proposes a command. The future completes with the state machine's result once the command is
     * committed and applied on this server; only the leader accepts proposals.
     */
    CompletableFuture<ByteString> propose(ByteString command);

    /** Runs a read-only query against the state machine at the given consistency. */
    CompletableFuture<ByteString> read(ByteString query, ReadConsistency consistency);

    /**
     * Changes the group's membership (joint consensus: see {@link MembershipChange}'s transition). Sent to
     * the leader; the future completes with the new configuration once its entry is applied here, which
     * is when it takes effect. Fails with {@link MembershipChangeException} if the change breaks a rule
     * (one change at a time, at most one voter in a simple change, a learner promoted only once caught up,
     * a live caught-up quorum in the new configuration unless {@code force}).
     */
    CompletableFuture<Membership> changeMembership(MembershipChange change, boolean force);

    /**
     * Hands leadership to voter {@code peer} (thesis §3.10): proposals are refused meanwhile; the future
     * completes when this node sees {@code peer} lead, or fails with {@link OperationTimeoutException} if
     * the transfer was abandoned.
     */
    CompletableFuture<Void> transferLeadership(long peer);

    /**
     * Takes a snapshot of the state machine at its current applied index now, whatever the automatic
     * policy, and compacts the log behind it (keeping {@link SnapshotConfig#trailingEntries()}). The future
     * completes with the snapshot's metadata once it is durable in the snapshot store; if nothing was
     * applied since the latest snapshot, with that one. Fails with {@link UnsupportedOperationException} if
     * the state machine does not support snapshots.
     */
    CompletableFuture<SnapshotMeta> snapshotNow();

    /** The node's current view of itself and, when it leads, of its peers. */
    CompletableFuture<NodeStatus> status();

    /** Registers a listener for role and leader changes. */
    void addListener(RaftListener listener);

    /**
     * Stops the node: its threads end and every pending operation fails with {@link ClosedException}.
     * Idempotent. The storage and transport it was built with are not closed: their owner closes them.
     */
    @Override
    void close();
}
