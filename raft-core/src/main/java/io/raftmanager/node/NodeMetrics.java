package io.raftmanager.node;

/**
 * What the runtime measures. The default records nothing; the raft-metrics-micrometer module's
 * {@code MicrometerNodeMetrics} reports to a Micrometer registry. Implementations are called from the
 * node's worker threads and must be cheap and thread-safe.
 */
public interface NodeMetrics {
    /** Records nothing. */
    NodeMetrics NOOP = new NodeMetrics() {};

    /** {@code count} proposals entered the log. */
    default void recordProposals(int count) {}

    /** The node's pending proposals (accepted, without an outcome yet) are now {@code count}. */
    default void pendingProposals(int count) {}

    /** The commit index is now {@code index}. */
    default void recordCommitted(long index) {}

    /** {@code entries} more entries were applied. */
    default void recordApplied(int entries) {}

    /** Applying one batch of committed entries to the state machine took {@code nanos}. */
    default void recordApplyTime(long nanos) {}

    /**
     * As leader, once a tick: follower {@code peer} has {@code matchIndex} of the leader's log, which ends at
     * {@code lastIndex} (the difference is its replication lag in entries).
     */
    default void recordReplication(long peer, long matchIndex, long lastIndex) {}

    /** This server won an election. */
    default void recordElection() {}

    /** The leader this server knows of changed. */
    default void recordLeaderChange() {}

    /** A storage write (and sync, if {@code synced}) took {@code nanos}. */
    default void recordPersist(long nanos, boolean synced) {}

    /** The node stopped after a failure in {@code where} (see {@link io.raftmanager.RaftListener#onFailure}). */
    default void recordFailure(String where) {}

    /** The disk became full ({@code true}: writes wait and proposals are refused) or has space again. */
    default void diskFull(boolean full) {}

    /** This leader handed leadership off because a disk write had stalled past the bound. */
    default void recordDiskStallStepDown() {}

    /** Proposals were refused, for {@code reason} (a short stable tag). */
    default void recordRejected(String reason) {}

    /** A server was found diverged at a digest marker (see {@link io.raftmanager.RaftListener#onDivergence}). */
    default void recordDivergence() {}

    /**
     * A snapshot of {@code bytes} was taken: the applier paused {@code captureNanos} to take the handle,
     * and writing it out took {@code writeNanos} (off the apply path).
     */
    default void recordSnapshotTaken(long bytes, long captureNanos, long writeNanos) {}

    /** {@code bytes} of snapshot data were sent to a follower. */
    default void recordSnapshotBytesSent(long bytes) {}

    /** {@code bytes} of snapshot data were received from a leader. */
    default void recordSnapshotBytesReceived(long bytes) {}

    /** A snapshot transfer to a follower ended after {@code nanos}, successfully or not. */
    default void recordSnapshotTransfer(long nanos, boolean succeeded) {}

    /** A snapshot was installed into the state machine in {@code nanos}. */
    default void recordSnapshotInstalled(long nanos) {}
}
