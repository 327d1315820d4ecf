package io.raftmanager.node;

/**
 * Runtime state that travels in snapshots next to the user's state machine (for example a client session
 * table): captured on the applier thread at the snapshot's index, restored before the state machine.
 * Parts are small; they are held in memory while the snapshot is written.
 */
interface SnapshotPart {
    /** A stable name; a snapshot section with an unknown name is skipped on restore. */
    String name();

    /** The part's state at the current applied index. */
    byte[] capture();

    /** Replaces the part's state; {@code data} is null if the snapshot has no section of this name. */
    void restore(byte[] data);
}
