package io.raftmanager;

import com.google.protobuf.ByteString;
import java.util.concurrent.CompletableFuture;

/**
 * One server of one Raft group, embedded in a host service: it replicates the commands proposed to it
 * and applies them, in the same order on every server, to the host's {@link StateMachine}.
 *
 * <p>Build one with {@link #builder()}, then {@link #start()} it. Every operation returns a future and
 * is safe to call from any thread; futures complete exceptionally with a {@link RaftException}. {@link
 * #state()} answers at once, without a future: poll it, or {@link #addListener listen} for changes.
 *
 * <p><b>Conventions.</b> Server ids are non-zero. "No leader" is an empty {@link java.util.OptionalLong}
 * everywhere ({@link NodeState#leader()}, {@link NodeStatus#leader()}, {@link
 * NotLeaderException#leaderHint()}, {@link RaftListener#onRoleChange}). The node never closes what it was
 * built with (see {@link RaftNodeBuilder}).
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
     * Proposes a command outside any session, like {@link #propose(ByteString)}, and completes with its
     * result and the index it was applied at: pass that index to {@link #read(ByteString, ReadConsistency,
     * long)} to read your own write on any server.
     */
    CompletableFuture<Applied> submit(ByteString command);

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
     * Runs a read-only query at the given consistency once this server's state machine has applied at least
     * {@code minIndex}, typically the {@link Applied#index()} of the caller's own earlier write. With {@link
     * ReadConsistency#STALE} that gives read-your-writes on any server without asking the leader; the other
     * levels already reflect every completed write and only wait as well. The read waits as long as the
     * server lags (it may be partitioned): bound it with {@link CompletableFuture#orTimeout}.
     *
     * @throws IllegalArgumentException if {@code minIndex} is negative
     */
    CompletableFuture<ByteString> read(ByteString query, ReadConsistency consistency, long minIndex);

    /**
     * Changes the group's membership, checking first that the new configuration has a live quorum ({@link
     * LiveQuorumCheck#ENFORCE}). See {@link #changeMembership(MembershipChange, LiveQuorumCheck)}.
     */
    default CompletableFuture<Membership> changeMembership(MembershipChange change) {
        return changeMembership(change, LiveQuorumCheck.ENFORCE);
    }

    /**
     * Changes the group's membership (joint consensus: see {@link MembershipChange.Transition}). Sent to
     * the leader; the future completes with the new configuration once its entry is applied here, which
     * is when it takes effect. Fails with {@link MembershipChangeException} if the change breaks a rule
     * (one change at a time, at most one voter in a one-step change, a learner promoted only once caught
     * up, a live caught-up quorum in the new configuration unless {@code check} is {@link
     * LiveQuorumCheck#SKIP}).
     */
    CompletableFuture<Membership> changeMembership(MembershipChange change, LiveQuorumCheck check);

    /** Adds {@code peer} as a learner (see {@link MembershipChange#addLearner}). */
    default CompletableFuture<Membership> addLearner(long peer) {
        return changeMembership(MembershipChange.addLearner(peer));
    }

    /** Promotes learner {@code peer} to voter once it has caught up (see {@link MembershipChange#promote}). */
    default CompletableFuture<Membership> promote(long peer) {
        return changeMembership(MembershipChange.promote(peer));
    }

    /** Removes {@code peer}, voter or learner, from the group (see {@link MembershipChange#remove}). */
    default CompletableFuture<Membership> remove(long peer) {
        return changeMembership(MembershipChange.remove(peer));
    }

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
    CompletableFuture<SnapshotInfo> snapshotNow();

    /**
     * The node's current role, term, leader and indexes, without locking or waiting: safe to call often,
     * from any thread (the event loop publishes a new view at the end of each pass that changed one of
     * them, so it may trail a just-completed future by that pass: to read your own write, use {@link
     * #read(ByteString, ReadConsistency, long)} with its index). Before {@link #start()} it shows the state
     * read from storage.
     */
    NodeState state();

    /** The node's view of itself and, when it leads, of its peers, taken on its event loop. */
    CompletableFuture<NodeStatus> status();

    /** Registers a listener for role, leader and membership changes and divergence reports. */
    void addListener(RaftListener listener);

    /**
     * Stops the node: its threads end and every pending operation fails with {@link ClosedException}.
     * Idempotent. Closes nothing the node was built with (state machine, storage, snapshot store,
     * transport, scheduler): whoever created them closes them, after this.
     */
    @Override
    void close();
}
