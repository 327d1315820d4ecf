package io.raftmanager.core.tracker;

/** How a leader is currently replicating to one follower. */
public enum ProgressState {
    /**
     * The leader does not know where the follower's log matches its own: it sends one AppendEntries per
     * heartbeat interval and waits for the answer before sending another.
     */
    PROBE,
    /** The logs match up to {@code match}: the leader streams entries optimistically, within the inflight window. */
    REPLICATE,
    /** The follower needs a snapshot; nothing else is sent until it is installed or fails. */
    SNAPSHOT
}
