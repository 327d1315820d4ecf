package io.raftmanager;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A point-in-time view of a {@link StateMachine}'s state, taken by {@link StateMachine#snapshot(long)} on
 * the applier thread and written out later on the node's snapshot thread while applies continue. The
 * view must therefore not change as later commands are applied (copy-on-write structures, an MVCC read
 * view, a storage engine's own snapshot or checkpoint).
 */
public interface StateSnapshot extends AutoCloseable {
    /**
     * Writes the state to {@code out}, streaming: the node never needs the whole snapshot in memory.
     * Called once, on the snapshot thread. The bytes are what {@link StateMachine#restore} will read.
     */
    void writeTo(OutputStream out) throws IOException;

    /** Releases the view; called once after {@link #writeTo}, or instead of it if the snapshot is abandoned. */
    @Override
    default void close() {}
}
