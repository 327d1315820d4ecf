package io.raftmanager.node;

/**
 * What the runtime measures. The default records nothing; {@link MicrometerNodeMetrics} reports to a
 * Micrometer registry (an optional dependency: only that class refers to Micrometer).
 */
interface NodeMetrics {
    NodeMetrics NOOP = new NodeMetrics() {};

    default void recordProposals(int count) {}

    default void recordCommitted(long index) {}

    default void recordApplied(int entries) {}

    default void recordElection() {}

    default void recordLeaderChange() {}

    /** A storage write (and sync, if {@code synced}) took {@code nanos}. */
    default void recordPersist(long nanos, boolean synced) {}

    default void recordRejected(String reason) {}
}
