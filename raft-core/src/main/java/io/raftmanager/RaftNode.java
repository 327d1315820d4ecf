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
 * is safe to call from any thread; futures complete exceptionally with a {@link RaftException}.
 *
 * <p><b>Outcomes of a proposal.</b> Its future ends in exactly one of four ways:
 *
 * <ul>
 *   <li><b>applied</b>: it completes normally with the state machine's result;
 *   <li><b>rejected</b>, definitely not applied by this attempt nor by any other (retrying is safe, with or
 *       without a session): {@link NotLeaderException} (retry at the leader it names), {@link
 *       OverloadedException}, {@link ProposalDroppedException} (refused, or its entry was replaced by
 *       another leader's), {@link ReplicaDivergedException}, {@link ClosedException} (closed before the
 *       proposal was handed to Raft), {@link SessionLimitException} (a registration refused);
 *   <li><b>refused by its session</b>: {@link SessionExpiredException}, identically on every server. This
 *       attempt was not applied and no later attempt with the same session and sequence number will be.
 *       Whether the command was applied depends on the earlier attempts with that sequence number: if
 *       there were none, or each was rejected, it was not; if one ended unknown, it is still unknown (that
 *       attempt may have been applied before its result was discarded or the session expired). Retrying
 *       in a new session is safe only in the first case;
 *   <li><b>unknown</b>: {@link IndeterminateResultException}: the entry may yet be applied, or not (the
 *       leader lost leadership, or the node closed or failed, after the entry entered its log and before
 *       it saw the entry commit). Retrying a plain {@link #propose(ByteString)} may apply the command
 *       twice; retrying {@link #propose(ByteString, long, long)} with the same session and sequence number
 *       at the new leader is safe: if the first attempt was applied, the retry returns its result without
 *       applying again, or, if that result is no longer kept, is refused with {@link
 *       SessionExpiredException}.
 * </ul>
 */
public interface RaftNode extends AutoCloseable {
    /** A builder for a node; see {@link RaftNodeBuilder}. */
    static RaftNodeBuilder builder() {
        return new RaftNodeBuilder();
    }

    /** Starts the node's threads and its transport. Idempotent. */
    void start();

    /**
     * Proposes a command outside any session. The future completes with the state machine's result once
     * the command is committed and applied on this server; only the leader accepts proposals. See the
     * class comment for the outcomes; an unknown one cannot be retried without risking a second apply.
     */
    CompletableFuture<ByteString> propose(ByteString command);

    /**
     * Registers a client session (Raft thesis §6.3) through the log. Its id is the index of the
     * registration entry, the same on every server. Commands proposed in it are applied at most once per
     * sequence number: a retry returns the first attempt's result while the session keeps it (the last
     * {@link RaftConfig#sessionResultWindow()} sequence numbers). The session expires after {@link
     * RaftConfig#sessionTimeoutMillis()} without commands, counted on the leaders' monotonic clocks (see
     * {@link RaftConfig#sessionTimeoutMillis()}). Fails with {@link SessionLimitException} if the group
     * holds {@link RaftConfig#maxSessions()} sessions. If registration itself ends unknown, register again:
     * an unused session just expires.
     */
    CompletableFuture<ClientSession> registerSession();

    /**
     * Proposes a command in session {@code sessionId} with the client's sequence number {@code sequence}
     * (&gt;= 1, one per command, never reused for another command). Most callers use {@link
     * ClientSession#propose(ByteString)}, which numbers commands itself. Outcomes are as for {@link
     * #propose(ByteString)}, plus {@link SessionExpiredException} (see the class comment: it settles this
     * attempt, not necessarily the command); after an unknown outcome, retry with the same arguments, at
     * this node or the new leader, until the outcome is known.
     *
     * @throws IllegalArgumentException if {@code sessionId} or {@code sequence} is not positive
     */
    CompletableFuture<ByteString> propose(ByteString command, long sessionId, long sequence);

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

    /** Registers a listener for role, leader and membership changes and divergence reports. */
    void addListener(RaftListener listener);

    /**
     * Stops the node: its threads end and every pending operation fails with {@link ClosedException}.
     * Idempotent. The storage and transport it was built with are not closed: their owner closes them.
     */
    @Override
    void close();
}
