package io.raftmanager;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

/**
 * The replicated service, implemented by the host application. Every server applies the same committed
 * commands in the same order, so {@link #apply} must be deterministic: its result may depend only on
 * the state and the command (no clocks, randomness or I/O whose result can differ between servers).
 *
 * <p>Threading: the node calls these methods one at a time, never concurrently, each call seeing the
 * effects of the previous ones, so implementations need no locking of their own. The calls run on a
 * worker thread of the node's engine, or on the group's event loop if {@link #applyOnEventLoop()} says so. A method that throws stops the node from applying (it
 * never skips an entry); the failure is logged and pending operations fail.
 *
 * <p>Snapshots: a state machine that supports them implements {@link #snapshot} and {@link #restore}; the
 * node then takes snapshots by its {@link SnapshotConfig} policy and compacts its log behind them, and a
 * follower too far behind receives the leader's snapshot. The defaults declare no support: such a node
 * never compacts its log (the log grows without bound) and cannot install a snapshot sent to it.
 *
 * <p><b>Restarts: entries are applied again.</b> A node that restarts restores the latest snapshot (if any)
 * with {@link #restore}, then calls {@link #apply} for every committed entry after it, including entries
 * this state machine applied before the restart: the node does not know what the state machine kept. A
 * state machine held in memory (persisted only through snapshots) starts from the snapshot and sees each
 * entry once. One that persists its own state on every apply (its own database or files) must treat a
 * re-applied entry as already applied: end in the state that applying each index once gives, and return
 * the result it returned the first time, because the node records replayed results in the client-session
 * table (answers to retries) and in the replica digest. The usual way: store the last applied index
 * atomically with the state, and for an index at or below it change nothing and return the stored result
 * (keep results for the entries after the latest snapshot, or at least for those in sessions, and
 * override {@link #digest} to digest the state rather than the results). See docs/sessions.md.
 */
public interface StateMachine extends AutoCloseable {
    /**
     * Applies the committed command at {@code index} and returns its result, which completes the
     * proposer's future on the server that proposed it. Indexes ascend, but after a restart they start
     * again after the latest snapshot: see "Restarts" in the class comment for a state machine that
     * persists its own state.
     */
    ByteString apply(long index, ByteString command);

    /**
     * Whether {@link #apply}, {@link #query}, {@link #digest} and {@link #snapshot} are cheap (microseconds)
     * and never block, so the node may call them on its event loop: the proposer's future then completes on
     * that loop, with no thread hand-off between commit and reply. Restoring a snapshot still runs on a
     * worker thread. Return true only if that holds: a slow apply on the loop delays heartbeats and every
     * other group sharing the loop. Default false.
     */
    default boolean applyOnEventLoop() {
        return false;
    }

    /** Answers a read-only query against the current state; must not change the state. */
    ByteString query(ByteString query);

    /**
     * A digest of the current state, for checking that servers have not diverged: servers that applied
     * the same entries must return the same value. Called at each digest marker (see {@link
     * RaftConfig#digestIntervalTicks()}). The default returns empty, and the node then uses its own
     * 64-bit digest of the applied stream: every applied command's index, bytes and result. Override it
     * to digest the state itself (for example a hash of the stored data), which also catches divergence
     * that does not show in results.
     */
    default OptionalLong digest() {
        return OptionalLong.empty();
    }

    /**
     * Captures the state as of {@code appliedIndex} (the last index applied), for a snapshot. Called on
     * the applier thread, between two applies: it must only take a point-in-time handle (cheaply, it
     * pauses applying), while the bytes are written later by {@link StateSnapshot#writeTo} on another
     * thread as applies continue.
     *
     * @return the handle, or {@code null} if this state machine does not support snapshots (the default)
     */
    default StateSnapshot snapshot(long appliedIndex) {
        return null;
    }

    /**
     * Replaces the whole state with the snapshot read from {@code in} (bytes a {@link StateSnapshot} wrote,
     * possibly on another server); afterwards the state is exactly the one at {@code meta.getIndex()}.
     * Called on the applier thread. If it throws, the node stops.
     *
     * @throws UnsupportedOperationException by default: this state machine does not support snapshots
     */
    default void restore(SnapshotMeta meta, InputStream in) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " does not support snapshots");
    }

    /** Releases resources; called once when the node closes. */
    @Override
    default void close() {}
}
